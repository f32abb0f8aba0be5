namespace AnomalyAE;

/// <summary>The rounding the data-scaled defaults share (batch size from rows, code size from features).</summary>
internal static class NearestPowerOfTwo
{
    /// <summary>The power of two nearest to <paramref name="value"/> on a log scale (at least 1), clamped to [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public static int To(double value, int min, int max)
    {
        int power = (int)Math.Round(Math.Log2(Math.Max(1, value)));
        return Math.Clamp(1 << Math.Clamp(power, 0, 30), min, max);
    }
}
