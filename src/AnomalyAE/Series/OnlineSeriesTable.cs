namespace AnomalyAE.Series;

/// <summary>
/// The series an online scorer keeps, by key: each one's slot in the <see cref="SeriesWindows"/>, last order value, step
/// count and last results (for a repeated step). Bounded: a new series beyond <c>maxSeries</c> pushes out the one seen
/// least recently, and series idle for longer than <c>idle</c> are forgotten; a forgotten series' slot is reset and reused.
/// </summary>
internal sealed class OnlineSeriesTable(int maxSeries, TimeSpan? idle, TimeProvider time, Action<int> resetSlot)
{
    private readonly Dictionary<string, OnlineSeries> _byKey = new(StringComparer.Ordinal);
    private readonly LinkedList<OnlineSeries> _recent = new(); // most recently seen first
    private readonly Stack<int> _freeSlots = new();
    private int _slots;

    public int Count => _byKey.Count;

    public bool Contains(string key) => _byKey.ContainsKey(key);

    /// <summary>The series of <paramref name="key"/>, now the most recent; a new one (pushing out the least recent when full) if unknown.</summary>
    public OnlineSeries Get(string key)
    {
        long now = time.GetTimestamp();
        if (_byKey.TryGetValue(key, out var series))
        {
            _recent.Remove(series.Node);
            _recent.AddFirst(series.Node);
        }
        else
        {
            if (_byKey.Count >= maxSeries) Forget(_recent.Last!.Value);
            series = new OnlineSeries(key, _freeSlots.TryPop(out int slot) ? slot : _slots++);
            _byKey[key] = series;
            _recent.AddFirst(series.Node);
        }
        series.LastSeen = now;
        return series;
    }

    /// <summary>Forgets the series not seen for longer than the idle timeout.</summary>
    public void ForgetIdle()
    {
        if (idle is not { } limit) return;
        while (_recent.Last is { } oldest && time.GetElapsedTime(oldest.Value.LastSeen) > limit) Forget(oldest.Value);
    }

    /// <summary>Forgets <paramref name="key"/>'s series; false when it is not kept.</summary>
    public bool Forget(string key)
    {
        if (!_byKey.TryGetValue(key, out var series)) return false;
        Forget(series);
        return true;
    }

    private void Forget(OnlineSeries series)
    {
        _byKey.Remove(series.Key);
        _recent.Remove(series.Node);
        resetSlot(series.Slot);
        _freeSlots.Push(series.Slot);
        series.Forgotten = true;
    }
}

/// <summary>One series an online scorer keeps.</summary>
internal sealed class OnlineSeries
{
    public OnlineSeries(string key, int slot)
    {
        Key = key;
        Slot = slot;
        Node = new LinkedListNode<OnlineSeries>(this);
    }

    public string Key { get; }
    /// <summary>Its slot in the scorer's <see cref="SeriesWindows"/>.</summary>
    public int Slot { get; }
    public LinkedListNode<OnlineSeries> Node { get; }
    public long LastSeen { get; set; }
    /// <summary>Pushed out while a call still held it: results written to it are dropped.</summary>
    public bool Forgotten { get; set; }
    /// <summary>Steps taken (not rejected, not repeated).</summary>
    public long Steps { get; set; }
    /// <summary>The last step's order value, when the model has an order column.</summary>
    public OrderKey? LastOrder { get; set; }
    /// <summary>The step of the current call that holds the last step's results, or −1 when <see cref="LastResults"/> holds them.</summary>
    public int LastStep { get; set; } = -1;
    /// <summary>The last step's results (score, label, probability, vectors) when no step of the current call holds them.</summary>
    public StepResult LastResults { get; set; }
}

/// <summary>A step's results kept for a repeat of it: score, label, probability and the computed vectors (latent, reconstruction, contributions), or null before any step.</summary>
internal readonly record struct StepResult(float Score, bool Label, float Probability, float[]? Vectors, bool Present);
