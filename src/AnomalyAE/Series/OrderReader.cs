using Microsoft.ML;
using Microsoft.ML.Data;

namespace AnomalyAE.Series;

/// <summary>Reads a row's order value as an <see cref="OrderKey"/>, and keeps each series' last one to check that a series moves forward.</summary>
internal sealed class OrderReader
{
    private readonly List<OrderKey?> _last = [];
    private readonly Func<OrderKey> _read;

    public OrderReader(DataViewRow row, DataViewSchema.Column column)
    {
        Column = column;
        _read = Make(row, column);
    }

    public DataViewSchema.Column Column { get; }

    /// <summary>True for the column types an order column may have.</summary>
    public static bool Supports(DataViewType type) =>
        type is TextDataViewType or DateTimeDataViewType or DateTimeOffsetDataViewType
        || type == NumberDataViewType.Single || type == NumberDataViewType.Double || type == NumberDataViewType.Int32
        || type == NumberDataViewType.Int64 || type == NumberDataViewType.UInt32;

    /// <summary>The current row's value; NaN fails, naming the row.</summary>
    public OrderKey Read(long row)
    {
        var key = _read();
        if (double.IsNaN(key.Real))
            throw new InvalidOperationException($"Order column '{Column.Name}' is NaN at row {row}: every row needs its place in time. Fill or filter such rows first.");
        return key;
    }

    /// <summary>
    /// Reads the current row's value and checks it comes after the last one of <paramref name="series"/>; fails naming the
    /// column, the series, the row and both values, and <paramref name="fix"/>.
    /// </summary>
    public void Advance(int series, string seriesName, long row, string fix)
    {
        var key = Read(row);
        while (_last.Count <= series) _last.Add(null);
        if (_last[series] is { } previous && key.CompareTo(previous) <= 0)
            throw new InvalidOperationException(
                $"Order column '{Column.Name}' goes {(key.CompareTo(previous) == 0 ? "nowhere" : "back")} in series {seriesName} at row {row}: {key} after {previous}. " +
                $"Rows of a series must come in strictly increasing order of '{Column.Name}' (two rows of one series at the same time are refused). {fix}");
        _last[series] = key;
    }

    private static Func<OrderKey> Make(DataViewRow row, DataViewSchema.Column column)
    {
        var type = column.Type;
        if (type is TextDataViewType) { var g = row.GetGetter<ReadOnlyMemory<char>>(column); ReadOnlyMemory<char> v = default; return () => { g(ref v); return new(0, 0, v.ToString()); }; }
        if (type is DateTimeDataViewType) { var g = row.GetGetter<DateTime>(column); DateTime v = default; return () => { g(ref v); return new(v.Ticks, 0, null, IsTime: true); }; }
        if (type is DateTimeOffsetDataViewType) { var g = row.GetGetter<DateTimeOffset>(column); DateTimeOffset v = default; return () => { g(ref v); return new(v.UtcTicks, 0, null, IsTime: true); }; }
        if (type == NumberDataViewType.Single) { var g = row.GetGetter<float>(column); float v = 0; return () => { g(ref v); return new(0, v, null); }; }
        if (type == NumberDataViewType.Double) { var g = row.GetGetter<double>(column); double v = 0; return () => { g(ref v); return new(0, v, null); }; }
        if (type == NumberDataViewType.Int32) { var g = row.GetGetter<int>(column); int v = 0; return () => { g(ref v); return new(v, 0, null); }; }
        if (type == NumberDataViewType.Int64) { var g = row.GetGetter<long>(column); long v = 0; return () => { g(ref v); return new(v, 0, null); }; }
        if (type == NumberDataViewType.UInt32) { var g = row.GetGetter<uint>(column); uint v = 0; return () => { g(ref v); return new(v, 0, null); }; }
        throw new ArgumentOutOfRangeException(nameof(column), $"Order column '{column.Name}' is {type}; an order column is an integer, floating-point, DateTime, DateTimeOffset or Text column.");
    }
}
