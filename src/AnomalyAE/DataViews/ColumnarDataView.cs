using Microsoft.ML;
using Microsoft.ML.Data;

namespace AnomalyAE.DataViews;

/// <summary>
/// An in-memory <see cref="IDataView"/> built column by column with names and sizes known only at run time
/// (ML.NET's <c>LoadFromEnumerable</c> needs a class per schema): Single, known-size Vector&lt;Single&gt; and Text columns.
/// </summary>
public sealed class ColumnarDataView : IDataView
{
    private readonly Array[] _columns;
    private readonly int _rows;

    private ColumnarDataView(DataViewSchema schema, Array[] columns, int rows)
    {
        Schema = schema;
        _columns = columns;
        _rows = rows;
    }

    /// <inheritdoc />
    public bool CanShuffle => false;

    /// <inheritdoc />
    public DataViewSchema Schema { get; }

    /// <inheritdoc />
    public long? GetRowCount() => _rows;

    /// <inheritdoc />
    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null) =>
        new Cursor(this, columnsNeeded.Select(c => c.Index).ToHashSet());

    /// <inheritdoc />
    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
        [GetRowCursor(columnsNeeded, rand)];

    /// <summary>Collects columns of equal length, then builds the view.</summary>
    public sealed class Builder
    {
        private readonly DataViewSchema.Builder _schema = new();
        private readonly List<Array> _columns = [];
        private int? _rows;

        /// <summary>Adds a Single column.</summary>
        public Builder AddSingle(string name, float[] values) => Add(name, NumberDataViewType.Single, values);

        /// <summary>Adds a Vector&lt;Single, <paramref name="size"/>&gt; column; every row must have that many values.</summary>
        public Builder AddVector(string name, int size, float[][] values)
        {
            for (int i = 0; i < values.Length; i++)
                if (values[i].Length != size) throw new ArgumentException($"Row {i} of column '{name}' has {values[i].Length} values; the column holds {size}.", nameof(values));
            return Add(name, new VectorDataViewType(NumberDataViewType.Single, size), values);
        }

        /// <summary>Adds a Text column.</summary>
        public Builder AddText(string name, string[] values) => Add(name, TextDataViewType.Instance, values);

        /// <summary>The view over the columns added so far.</summary>
        public ColumnarDataView Build() => new(_schema.ToSchema(), [.. _columns], _rows ?? 0);

        private Builder Add(string name, DataViewType type, Array values)
        {
            if (_rows is int rows && values.Length != rows)
                throw new ArgumentException($"Column '{name}' has {values.Length} rows; the other columns have {rows}.", nameof(values));
            _rows = values.Length;
            _schema.AddColumn(name, type);
            _columns.Add(values);
            return this;
        }
    }

    private sealed class Cursor(ColumnarDataView view, HashSet<int> active) : DataViewRowCursor
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
                float[][] vectors => (ValueGetter<VBuffer<float>>)((ref VBuffer<float> value) =>
                {
                    var source = vectors[_position];
                    var editor = VBufferEditor.Create(ref value, source.Length);
                    source.CopyTo(editor.Values);
                    value = editor.Commit();
                }),
                string[] texts => (ValueGetter<ReadOnlyMemory<char>>)((ref ReadOnlyMemory<char> value) => value = texts[_position].AsMemory()),
                _ => throw new InvalidOperationException("Unknown column storage."),
            };
            return getter as ValueGetter<TValue>
                ?? throw new InvalidOperationException($"Column '{column.Name}' is {column.Type}; it cannot be read as {typeof(TValue).Name}.");
        }
    }
}
