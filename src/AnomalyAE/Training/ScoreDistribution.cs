namespace AnomalyAE.Training;

/// <summary>
/// Quantiles of the training scores, read by the threshold (and by anything else fitted on the score distribution,
/// such as a probability calibration). Exact when the scores were held in memory, from a <see cref="QuantileSketch"/>
/// (within its rank error) when they were streamed.
/// </summary>
internal interface IScoreQuantiles
{
    /// <summary>Number of scores summarized.</summary>
    long Count { get; }

    /// <summary>The largest score.</summary>
    float Max { get; }

    /// <summary>The score at each of <paramref name="levels"/> (each in [0, 1]), linearly interpolated between neighbours.</summary>
    double[] Quantiles(IReadOnlyList<double> levels);

    /// <summary>Fraction of the scores strictly above <paramref name="value"/>.</summary>
    double FractionAbove(double value);

    /// <summary>The median of |score − <paramref name="center"/>|.</summary>
    double MedianAbsoluteDeviation(double center);
}

/// <summary>
/// Sorted values with integer weights (a weight-w value stands for w equal scores): the exact training scores (every
/// weight 1), or a sketch's retained items. Quantiles interpolate between neighbouring positions of the expanded list, so
/// with unit weights they equal the classic interpolated quantile of the sorted scores.
/// </summary>
internal sealed class ScoreDistribution : IScoreQuantiles
{
    private readonly float[] _values;
    // Running total of the weights up to and including each value; null when every weight is 1.
    private readonly long[]? _cumulative;

    private ScoreDistribution(float[] sortedValues, long[]? cumulative, float? max = null)
    {
        if (sortedValues.Length == 0) throw new ArgumentException("A score distribution needs at least one score.", nameof(sortedValues));
        _values = sortedValues;
        _cumulative = cumulative;
        Max = max ?? sortedValues[^1];
    }

    /// <summary>The exact distribution of <paramref name="scores"/> (sorted in place).</summary>
    public static ScoreDistribution Exact(float[] scores)
    {
        Array.Sort(scores);
        return new ScoreDistribution(scores, null);
    }

    /// <summary>Values with weights, in any order; <paramref name="max"/> is the largest score summarized, when known.</summary>
    public static ScoreDistribution Weighted(float[] values, long[] weights, float? max = null)
    {
        Array.Sort(values, weights);
        var cumulative = new long[weights.Length];
        long total = 0;
        for (int i = 0; i < weights.Length; i++) cumulative[i] = total += weights[i];
        return new ScoreDistribution(values, cumulative, max);
    }

    public long Count => _cumulative?[^1] ?? _values.Length;
    public float Max { get; }

    public double Quantile(double level)
    {
        double position = level * (Count - 1);
        long low = (long)Math.Floor(position);
        long high = Math.Min(low + 1, Count - 1);
        double lowValue = At(low);
        return lowValue + (At(high) - lowValue) * (position - low);
    }

    public double[] Quantiles(IReadOnlyList<double> levels) => [.. levels.Select(Quantile)];

    public double FractionAbove(double value)
    {
        int firstAbove = UpperBound(_values, value);
        long atMost = firstAbove == 0 ? 0 : _cumulative?[firstAbove - 1] ?? firstAbove;
        return (Count - atMost) / (double)Count;
    }

    public double MedianAbsoluteDeviation(double center)
    {
        var deviations = _values.Select(v => (float)Math.Abs(v - center)).ToArray();
        if (_cumulative is null) return Exact(deviations).Quantile(0.5);
        var weights = new long[_values.Length];
        for (int i = 0; i < weights.Length; i++) weights[i] = _cumulative[i] - (i == 0 ? 0 : _cumulative[i - 1]);
        return Weighted(deviations, weights).Quantile(0.5);
    }

    /// <summary>The value at <paramref name="index"/> of the list expanded by weight.</summary>
    private float At(long index)
    {
        if (_cumulative is null) return _values[index];
        // The first value whose running weight passes the index.
        int found = Array.BinarySearch(_cumulative, index + 1);
        return _values[found >= 0 ? FirstOf(found) : ~found];
    }

    // Equal running totals only arise from zero weights, which never occur; kept exact anyway.
    private int FirstOf(int found)
    {
        while (found > 0 && _cumulative![found - 1] == _cumulative[found]) found--;
        return found;
    }

    private static int UpperBound(float[] sorted, double value)
    {
        int low = 0, high = sorted.Length;
        while (low < high)
        {
            int middle = (low + high) >>> 1;
            if (sorted[middle] <= value) low = middle + 1;
            else high = middle;
        }
        return low;
    }
}
