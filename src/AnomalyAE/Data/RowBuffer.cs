namespace AnomalyAE.Data;

/// <summary>
/// Rows held in memory during the first pass, up to a budget of values. They are kept in fixed-size chunks, so growing
/// never copies what is already held. A doubling array held the old and the new copy at once, 1.5 times the budget, just
/// before a source of unknown length went over it.
/// </summary>
internal sealed class RowBuffer
{
    private const int ChunkValues = 1 << 20;   // 4 MB

    private readonly List<float[]> _chunks = [];
    private readonly int _columns, _rowsPerChunk;
    private readonly long _maxRows;

    /// <param name="columns">Values per row.</param>
    /// <param name="maxValues">The budget: <see cref="TryAdd"/> refuses a row that would pass it.</param>
    /// <param name="expectedRows">The row count when the source knows it: then one chunk holds every row, and <see cref="ToArray"/> copies nothing.</param>
    public RowBuffer(int columns, long maxValues, long? expectedRows)
    {
        _columns = columns;
        _maxRows = maxValues / columns;
        _rowsPerChunk = expectedRows is long rows && rows <= _maxRows
            ? (int)Math.Max(rows, 1)
            : (int)Math.Clamp(ChunkValues / columns, 1, Math.Max(_maxRows, 1));
    }

    public long Rows { get; private set; }

    /// <summary>Keeps <paramref name="row"/>; false, keeping nothing, when it would pass the budget.</summary>
    public bool TryAdd(ReadOnlySpan<float> row)
    {
        if (Rows >= _maxRows) return false;
        int inChunk = (int)(Rows % _rowsPerChunk);
        if (inChunk == 0 && Rows / _rowsPerChunk == _chunks.Count) _chunks.Add(new float[(long)_rowsPerChunk * _columns]);
        row.CopyTo(_chunks[^1].AsSpan(inChunk * _columns, _columns));
        Rows++;
        return true;
    }

    /// <summary>Each row held, in order.</summary>
    public void ForEach(Action<ReadOnlySpan<float>> action)
    {
        for (long r = 0; r < Rows; r++)
            action(_chunks[(int)(r / _rowsPerChunk)].AsSpan((int)(r % _rowsPerChunk) * _columns, _columns));
    }

    /// <summary>The rows as one row-major array; the chunks are released.</summary>
    public float[] ToArray()
    {
        long values = Rows * _columns;
        float[] result;
        if (_chunks.Count == 1 && _chunks[0].LongLength == values) result = _chunks[0];
        else
        {
            result = new float[values];
            long at = 0;
            foreach (var chunk in _chunks)
            {
                int count = (int)Math.Min(chunk.LongLength, values - at);
                Array.Copy(chunk, 0, result, at, count);
                at += count;
            }
        }
        _chunks.Clear();
        return result;
    }
}
