using Microsoft.ML.Runtime;

namespace AnomalyAE.Training;

/// <summary>
/// The decision threshold from the training scores: the (1 − contamination) quantile, or with contamination null the
/// automatic rule, median + k · MAD (k = <see cref="AutoencoderOptionsBase.Defaults.AutomaticThresholdDeviations"/>).
/// </summary>
internal static class ScoreThreshold
{
    public static float Fit(double? contamination, IScoreQuantiles scores, IChannel channel)
    {
        if (contamination is double rate)
        {
            float quantile = ScoreQuantile.Threshold(scores, rate);
            channel.Info(MessageSensitivity.None, $"Threshold {quantile:G6}: the {1 - rate:P1} quantile of the training scores.");
            return quantile;
        }
        double deviations = AutoencoderOptionsBase.Defaults.AutomaticThresholdDeviations;
        float threshold = ScoreQuantile.Automatic(scores, deviations);
        channel.Info(MessageSensitivity.None, $"Threshold {threshold:G6}: median + {deviations:G3} MAD of the training scores (Contamination = null); it flags {scores.FractionAbove(threshold):P1} of the training rows.");
        return threshold;
    }
}
