namespace AnomalyAE.Data;

/// <summary>
/// A seeded uniform sample of at most <c>capacity</c> rows from a stream of rows (reservoir sampling, Vitter's
/// algorithm R): every row has the same chance to be kept, and the same seed and rows keep the same sample.
/// </summary>
internal sealed class RowReservoir
{
    private readonly float[] _values;
    private readonly int _capacity, _columns;
    private readonly Random _random;
    private long _seen;

    public RowReservoir(int capacity, int columns, int seed)
    {
        _capacity = capacity;
        _columns = columns;
        _values = new float[(long)capacity * columns];
        _random = new Random(seed);
    }

    public void Add(ReadOnlySpan<float> row)
    {
        long slot = _seen < _capacity ? _seen : _random.NextInt64(_seen + 1);
        _seen++;
        if (slot < _capacity) row.CopyTo(_values.AsSpan((int)slot * _columns, _columns));
    }

    public FeatureMatrix ToMatrix()
    {
        int rows = (int)Math.Min(_seen, _capacity);
        return new FeatureMatrix(rows == _capacity ? _values : _values[..(rows * _columns)], rows, _columns);
    }
}
