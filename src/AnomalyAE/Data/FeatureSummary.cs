namespace AnomalyAE.Data;

/// <summary>Per-feature minimum, maximum, sum and sum of squares, accumulated row by row during the first pass.</summary>
internal sealed class FeatureSummary
{
    private readonly double[] _sum, _sumOfSquares;

    public FeatureSummary(int columns)
    {
        Min = new float[columns];
        Max = new float[columns];
        _sum = new double[columns];
        _sumOfSquares = new double[columns];
        Columns = columns;
    }

    public int Columns { get; }
    public long Rows { get; private set; }
    public float[] Min { get; }
    public float[] Max { get; }

    public void Add(ReadOnlySpan<float> row)
    {
        if (Rows == 0)
        {
            row.CopyTo(Min);
            row.CopyTo(Max);
        }
        for (int c = 0; c < row.Length; c++)
        {
            float value = row[c];
            if (value < Min[c]) Min[c] = value;
            if (value > Max[c]) Max[c] = value;
            _sum[c] += value;
            _sumOfSquares[c] += (double)value * value;
        }
        Rows++;
    }

    /// <summary>Mean over features of each feature's variance: the MSE of always predicting the column means.</summary>
    public double MeanVariance() =>
        Enumerable.Range(0, Columns).Average(c => _sumOfSquares[c] / Rows - _sum[c] / Rows * (_sum[c] / Rows));
}
