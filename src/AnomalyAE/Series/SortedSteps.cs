using Microsoft.ML;

namespace AnomalyAE.Series;

/// <summary>
/// Every step of a data view held in memory and sorted by the order column within each series (a stable sort; two steps
/// of one series with the same order value are refused), so that training windows follow time whatever the row order.
/// </summary>
internal sealed class SortedSteps
{
    private readonly float[] _values;
    private readonly long[] _rows;
    private readonly int[] _series;
    private readonly int[] _order;      // step indexes, series by series, each series in time order
    private readonly SeriesKeys _keys;
    private readonly int _channels;

    private SortedSteps(float[] values, long[] rows, int[] series, int[] order, SeriesKeys keys, int channels)
    {
        _values = values;
        _rows = rows;
        _series = series;
        _order = order;
        _keys = keys;
        _channels = channels;
    }

    /// <summary>True when the steps were not in time order in the input (the sort moved some).</summary>
    public bool Reordered { get; private init; }

    /// <summary>
    /// Reads and sorts the steps of <paramref name="data"/>; null when they take more than <paramref name="budgetBytes"/>
    /// (values, row and order per step), so the caller streams them instead.
    /// </summary>
    public static SortedSteps? Read(IDataView data, SeriesInput input, long budgetBytes, CancellationToken cancellation)
    {
        int channels = input.Channels;
        long bytesPerStep = 4L * channels + 48;
        if (data.GetRowCount() is long known && known * bytesPerStep > budgetBytes) return null;
        var values = new List<float>();
        var rows = new List<long>();
        var series = new List<int>();
        var keys = new List<OrderKey>();
        var seriesKeys = new SeriesKeys();
        var step = new float[channels];
        using (var cursor = data.GetRowCursor(input.Columns))
        {
            var reader = new SeriesRowReader(input, cursor, seriesKeys);
            while (cursor.MoveNext())
            {
                if ((cursor.Position & 1023) == 0) cancellation.ThrowIfCancellationRequested();
                if ((rows.Count + 1) * bytesPerStep > budgetBytes) return null;
                reader.ReadChannels(step);
                values.AddRange(step);
                rows.Add(cursor.Position);
                series.Add(reader.ReadSeries());
                keys.Add(reader.Order!.Read(cursor.Position));
            }
        }
        var order = Enumerable.Range(0, rows.Count).ToArray();
        var seriesOf = series.ToArray();
        var keyOf = keys.ToArray();
        // Stable: by series (first appearance), then by order value, then by row.
        Array.Sort(order, (a, b) => seriesOf[a] != seriesOf[b] ? seriesOf[a].CompareTo(seriesOf[b])
            : keyOf[a].CompareTo(keyOf[b]) is var c && c != 0 ? c : a.CompareTo(b));
        bool reordered = false;
        for (int i = 1; i < order.Length; i++)
        {
            int previous = order[i - 1], current = order[i];
            if (seriesOf[previous] != seriesOf[current]) continue;
            if (keyOf[previous].CompareTo(keyOf[current]) == 0)
                throw new InvalidOperationException($"Order column '{input.OrderColumn!.Value.Name}' holds {keyOf[current]} twice in series {seriesKeys.Name(seriesOf[current])} " +
                    $"(rows {rows[previous]} and {rows[current]}): each step of a series needs its own place in time. Remove or merge the duplicate rows.");
            reordered |= current < previous;
        }
        return new SortedSteps(values.ToArray(), rows.ToArray(), seriesOf, order, seriesKeys, channels) { Reordered = reordered };
    }

    /// <summary>Rows read.</summary>
    public int Count => _order.Length;

    /// <summary>A cursor over the steps in time order, series by series.</summary>
    public IStepCursor Open() => new Cursor(this);

    private sealed class Cursor(SortedSteps steps) : IStepCursor
    {
        private int _index = -1;
        private int Step => steps._order[_index];
        public bool MoveNext() => ++_index < steps._order.Length;
        public long Row => steps._rows[Step];
        public int Series => steps._series[Step];
        public string SeriesName(int series) => steps._keys.Name(series);
        public void ReadChannels(Span<float> destination) => steps._values.AsSpan(Step * steps._channels, steps._channels).CopyTo(destination);
        public void Dispose() { }
    }
}
