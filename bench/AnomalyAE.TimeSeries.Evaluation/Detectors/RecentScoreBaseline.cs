namespace AnomalyAE.TimeSeries.Evaluation.Detectors;

/// <summary>
/// A detector's scores re-expressed against the recent history of the same series' scores, online: the mean of the last
/// <see cref="Smoothing"/> scores, in units of the robust spread (median, 1.4826 · MAD, at least 1.2533 · the mean absolute
/// deviation) of such means over the last <see cref="History"/> steps, re-estimated every <see cref="Every"/> steps. This is
/// the idea of Numenta's anomaly likelihood (Ahmad et al., Neurocomputing 2017; the same 10 / 8,640 / 100 steps), with a
/// robust spread and without its probability transform, which the rank metrics and one corpus threshold do not see. It
/// follows drift: a model fitted on the probationary part whose errors rise for good stops flagging the whole remainder.
/// The history starts with the training scores (the probationary part, seen before the first test row), so no test row
/// after t is read.
/// </summary>
public static class RecentScoreBaseline
{
    public const int Smoothing = 10, History = 8640, Every = 100;

    /// <summary>The test scores relative to their recent history; the training scores are only that history's start.</summary>
    public static DetectorScores Apply(DetectorScores scores)
    {
        var all = scores.Train.Concat(scores.Test).Select(s => double.IsFinite(s) ? s : 0).ToArray();
        var relative = Relative(all, firstEstimate: Math.Min(scores.Train.Length, 50));
        // Relative scores are already in units of spread: the bench's robust z must leave them so.
        return new DetectorScores(relative[scores.Train.Length..], [.. Thresholds.UnitScale]);
    }

    private static double[] Relative(double[] raw, int firstEstimate)
    {
        var smoothed = new double[raw.Length];
        double sum = 0;
        for (int t = 0; t < raw.Length; t++)
        {
            sum += raw[t] - (t >= Smoothing ? raw[t - Smoothing] : 0);
            smoothed[t] = sum / Math.Min(t + 1, Smoothing);
        }
        var result = new double[raw.Length];
        double centre = 0, spread = 1;
        int estimatedAt = -1;
        for (int t = 0; t < raw.Length; t++)
        {
            if (t >= firstEstimate && (estimatedAt < 0 || t - estimatedAt >= Every))
            {
                var recent = smoothed[Math.Max(0, t - History)..t].Order().ToArray();
                centre = recent[recent.Length / 2];
                var deviations = recent.Select(v => Math.Abs(v - centre)).Order().ToArray();
                spread = Math.Max(Math.Max(1.4826 * deviations[deviations.Length / 2], 1.2533 * deviations.Average()), 1e-12);
                estimatedAt = t;
            }
            result[t] = estimatedAt < 0 ? 0 : (smoothed[t] - centre) / spread;
        }
        return result;
    }
}
