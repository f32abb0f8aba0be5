namespace AnomalyAE.Training;

/// <summary>
/// The decision threshold: the (1 − contamination) quantile of the training scores, linearly interpolated; or, with no
/// contamination given, the robust rule median + k · MAD. Read from an <see cref="IScoreQuantiles"/>: exact scores in
/// memory, or the <see cref="QuantileSketch"/> of streamed training (the MAD then comes from the same sketch: the
/// weighted median of its items' distances to the median, so no second pass over the rows is needed).
/// </summary>
internal static class ScoreQuantile
{
    public static float Threshold(float[] trainingScores, double contamination) =>
        Threshold(ScoreDistribution.Exact((float[])trainingScores.Clone()), contamination);

    public static float Threshold(IScoreQuantiles trainingScores, double contamination) =>
        (float)trainingScores.Quantiles([1 - contamination])[0];

    /// <summary>MAD × this estimates the standard deviation of normally distributed values.</summary>
    public const double MadToStandardDeviation = 1.4826;

    /// <summary>
    /// The automatic threshold: median + <paramref name="deviations"/> × 1.4826 × MAD of the training scores. When the
    /// scores have no spread (MAD 0), the largest score, so no training row is flagged.
    /// </summary>
    public static float Automatic(float[] trainingScores, double deviations) =>
        Automatic(ScoreDistribution.Exact((float[])trainingScores.Clone()), deviations);

    public static float Automatic(IScoreQuantiles trainingScores, double deviations)
    {
        double median = trainingScores.Quantiles([0.5])[0];
        double mad = trainingScores.MedianAbsoluteDeviation(median);
        if (!(mad > 0)) return trainingScores.Max;
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
