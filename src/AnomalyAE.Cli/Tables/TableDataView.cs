using Microsoft.ML;
using Microsoft.ML.Data;

namespace AnomalyAE.Cli.Tables;

/// <summary>Named columns of numbers (Single) and text, as an ML.NET <see cref="IDataView"/>.</summary>
internal sealed class TableDataView : IDataView
{
    private readonly object[] _columns;
    private readonly int _rows;

    public TableDataView(IReadOnlyList<(string Name, float[] Values)> numeric, IReadOnlyList<(string Name, string[] Values)> text)
    {
        var builder = new DataViewSchema.Builder();
        var columns = new List<object>();
        foreach (var (name, values) in numeric) { builder.AddColumn(name, NumberDataViewType.Single); columns.Add(values); }
        foreach (var (name, values) in text) { builder.AddColumn(name, TextDataViewType.Instance); columns.Add(values); }
        Schema = builder.ToSchema();
        _columns = [.. columns];
        _rows = numeric.Count > 0 ? numeric[0].Values.Length : text.Count > 0 ? text[0].Values.Length : 0;
    }

    public bool CanShuffle => false;
    public DataViewSchema Schema { get; }
    public long? GetRowCount() => _rows;

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null) =>
        new Cursor(this, columnsNeeded.Select(c => c.Index).ToHashSet());

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
        [GetRowCursor(columnsNeeded, rand)];

    private sealed class Cursor(TableDataView view, HashSet<int> active) : DataViewRowCursor
    {
        private long _position = -1;

        public override DataViewSchema Schema => view.Schema;
        public override long Position => _position;
        public override long Batch => 0;
        public override bool MoveNext() => ++_position < view._rows;
        public override bool IsColumnActive(DataViewSchema.Column column) => active.Contains(column.Index);

        public override ValueGetter<DataViewRowId> GetIdGetter() => (ref DataViewRowId id) => id = new DataViewRowId((ulong)_position, 0);

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            Delegate getter = view._columns[column.Index] switch
            {
                float[] numbers => (ValueGetter<float>)((ref float value) => value = numbers[_position]),
                string[] texts => (ValueGetter<ReadOnlyMemory<char>>)((ref ReadOnlyMemory<char> value) => value = texts[_position].AsMemory()),
                _ => throw new InvalidOperationException(),
            };
            return getter as ValueGetter<TValue> ?? throw new InvalidOperationException($"Column '{column.Name}' is {column.Type}, not {typeof(TValue).Name}.");
        }
    }
}
