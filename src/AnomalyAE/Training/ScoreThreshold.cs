using Microsoft.ML.Runtime;

namespace AnomalyAE.Training;

/// <summary>A fitted threshold, and the tail it was read from when the rule fits one (peaks over threshold).</summary>
internal sealed record FittedThreshold(float Value, GeneralizedParetoTail? Tail);

/// <summary>
/// The decision threshold from the training scores, by the options' <see cref="ThresholdRule"/>: the (1 − contamination)
/// quantile; the automatic rule, median + k · MAD (k = <see cref="AutoencoderOptionsBase.Defaults.AutomaticThresholdDeviations"/>);
/// or the peaks-over-threshold tail at the options' risk (<see cref="PeaksOverThreshold"/>).
/// </summary>
internal static class ScoreThreshold
{
    public static FittedThreshold Fit(AutoencoderOptionsBase options, IScoreQuantiles scores, IChannel channel)
    {
        if (options.ThresholdRule == ThresholdRule.PeaksOverThreshold)
        {
            if (PeaksOverThreshold.Fit(scores) is { } tail)
            {
                float value = (float)PeaksOverThreshold.Threshold(tail, options.ThresholdRisk);
                channel.Info(MessageSensitivity.None, $"Threshold {value:G6}: peaks over threshold at risk {options.ThresholdRisk:G3} (generalized Pareto tail above the " +
                    $"{PeaksOverThreshold.InitialLevel:P0} quantile {tail.Start:G6}: shape {tail.Shape:G4}, scale {tail.Scale:G4}); it flags {scores.FractionAbove(value):P2} of the training rows.");
                return new FittedThreshold(value, tail);
            }
            channel.Warning(MessageSensitivity.None, $"ThresholdRule PeaksOverThreshold needs at least {PeaksOverThreshold.MinExcesses} distinct training scores above their " +
                $"{PeaksOverThreshold.InitialLevel:P0} quantile ({scores.Count} scores in all); the automatic rule (median + 3 MAD) sets the threshold instead. Train on more rows for a tail fit.");
            return new FittedThreshold(Automatic(scores, channel), null);
        }
        if (options.ThresholdRule == ThresholdRule.Contamination && options.Contamination is double rate)
        {
            float quantile = ScoreQuantile.Threshold(scores, rate);
            channel.Info(MessageSensitivity.None, $"Threshold {quantile:G6}: the {1 - rate:P1} quantile of the training scores.");
            return new FittedThreshold(quantile, null);
        }
        return new FittedThreshold(Automatic(scores, channel), null);
    }

    private static float Automatic(IScoreQuantiles scores, IChannel channel)
    {
        double deviations = AutoencoderOptionsBase.Defaults.AutomaticThresholdDeviations;
        float threshold = ScoreQuantile.Automatic(scores, deviations);
        channel.Info(MessageSensitivity.None, $"Threshold {threshold:G6}: median + {deviations:G3} MAD of the training scores; it flags {scores.FractionAbove(threshold):P1} of the training rows.");
        return threshold;
    }
}
