namespace AnomalyAE.Training;

/// <summary>The decision threshold: the (1 − contamination) quantile of the training scores, linearly interpolated.</summary>
internal static class ScoreQuantile
{
    public static float Threshold(float[] trainingScores, double contamination)
    {
        var sorted = (float[])trainingScores.Clone();
        Array.Sort(sorted);
        return Interpolate(sorted, 1 - contamination);
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
