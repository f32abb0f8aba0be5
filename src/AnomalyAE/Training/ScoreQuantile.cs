namespace AnomalyAE.Training;

/// <summary>
/// The decision threshold: the (1 − contamination) quantile of the training scores, linearly interpolated; or, with no
/// contamination given, the robust rule median + k · MAD.
/// </summary>
internal static class ScoreQuantile
{
    public static float Threshold(float[] trainingScores, double contamination)
    {
        var sorted = (float[])trainingScores.Clone();
        Array.Sort(sorted);
        return Interpolate(sorted, 1 - contamination);
    }

    /// <summary>MAD × this estimates the standard deviation of normally distributed values.</summary>
    public const double MadToStandardDeviation = 1.4826;

    /// <summary>
    /// The automatic threshold: median + <paramref name="deviations"/> × 1.4826 × MAD of the training scores. When the
    /// scores have no spread (MAD 0), the largest score, so no training row is flagged.
    /// </summary>
    public static float Automatic(float[] trainingScores, double deviations)
    {
        var sorted = (float[])trainingScores.Clone();
        Array.Sort(sorted);
        double median = Interpolate(sorted, 0.5);
        var deviationsFromMedian = sorted.Select(s => (float)Math.Abs(s - median)).ToArray();
        Array.Sort(deviationsFromMedian);
        double mad = Interpolate(deviationsFromMedian, 0.5);
        if (!(mad > 0)) return sorted[^1];
        return (float)(median + deviations * MadToStandardDeviation * mad);
    }

    /// <summary>The <paramref name="quantile"/> of already sorted values, linearly interpolated between neighbours.</summary>
    public static float Interpolate(float[] sorted, double quantile)
    {
        double position = quantile * (sorted.Length - 1);
        int low = (int)Math.Floor(position);
        int high = Math.Min(low + 1, sorted.Length - 1);
        double fraction = position - low;
        return (float)(sorted[low] + (sorted[high] - sorted[low]) * fraction);
    }
}
