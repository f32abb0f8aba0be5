namespace AnomalyAE.Training;

/// <summary>
/// Shuffles a stream of rows within a window of <c>capacity</c> rows: each new row takes the place of a randomly chosen
/// one, which leaves. A row can thus move up to about one buffer's length from its place; data sorted by time or by
/// class needs a buffer large enough to mix what lies that far apart. While the buffer fills, every second row lets a
/// random row leave, so training starts at once instead of waiting for a full buffer (which, at the default size, would
/// idle the gradient steps for a sizeable part of a short epoch).
/// </summary>
internal sealed class ShuffleBuffer
{
    private readonly float[] _rows;
    private readonly int _capacity, _columns;
    private readonly Random _random;
    private int _count;
    private long _filling;

    public ShuffleBuffer(int capacity, int columns, Random random)
    {
        _capacity = capacity;
        _columns = columns;
        _rows = new float[(long)capacity * columns];
        _random = random;
    }

    /// <summary>Takes <paramref name="row"/>; when the buffer was full, a random row leaves into <paramref name="leaving"/> and true is returned.</summary>
    public bool Exchange(ReadOnlySpan<float> row, Span<float> leaving)
    {
        if (_count < _capacity)
        {
            row.CopyTo(_rows.AsSpan(_count++ * _columns, _columns));
            return (++_filling & 1) == 0 && Drain(leaving);
        }
        var slot = _rows.AsSpan(_random.Next(_capacity) * _columns, _columns);
        slot.CopyTo(leaving);
        row.CopyTo(slot);
        return true;
    }

    /// <summary>Empties the buffer in random order, one row at a time into <paramref name="leaving"/>; false when empty.</summary>
    public bool Drain(Span<float> leaving)
    {
        if (_count == 0) return false;
        int chosen = _random.Next(_count);
        _rows.AsSpan(chosen * _columns, _columns).CopyTo(leaving);
        // The last row fills the hole.
        _rows.AsSpan(--_count * _columns, _columns).CopyTo(_rows.AsSpan(chosen * _columns, _columns));
        return true;
    }
}
