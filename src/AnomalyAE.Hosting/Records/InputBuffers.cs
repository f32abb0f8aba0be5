using Microsoft.ML;
using Microsoft.ML.Data;

namespace AnomalyAE.Hosting.Records;

/// <summary>
/// The model's input columns as flat arrays for one batch (a Single column: one float per row; a Vector&lt;Single, n&gt;
/// column: n floats per row, row after row; a Text column: one string per row), and the <see cref="IDataView"/> over
/// the rows filled so far. Records are parsed into these arrays directly; nothing is kept per record.
/// </summary>
internal sealed class InputBuffers : IDataView
{
    private readonly Array[] _columns;

    public InputBuffers(DataViewSchema schema, int capacity)
    {
        Schema = schema;
        _columns = [.. schema.Select(c => c.Type switch
        {
            VectorDataViewType vector => (Array)new float[capacity * vector.Size],
            TextDataViewType => new string[capacity],
            _ => new float[capacity],
        })];
    }

    /// <summary>Rows filled; the view shows these.</summary>
    public int Rows { get; set; }

    /// <summary>The storage of a Single or vector column (a vector's row r starts at r × size).</summary>
    public float[] Numbers(int column) => (float[])_columns[column];

    /// <summary>The storage of a Text column.</summary>
    public string[] Texts(int column) => (string[])_columns[column];

    public DataViewSchema Schema { get; }

    public bool CanShuffle => false;

    public long? GetRowCount() => Rows;

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null) =>
        new Cursor(this, columnsNeeded.Select(c => c.Index).ToHashSet());

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
        [GetRowCursor(columnsNeeded, rand)];

    private sealed class Cursor(InputBuffers view, HashSet<int> active) : DataViewRowCursor
    {
        private readonly int _rows = view.Rows;
        private int _position = -1;

        public override DataViewSchema Schema => view.Schema;
        public override long Position => _position;
        public override long Batch => 0;
        public override bool MoveNext() => ++_position < _rows;
        public override bool IsColumnActive(DataViewSchema.Column column) => active.Contains(column.Index);
        public override ValueGetter<DataViewRowId> GetIdGetter() => (ref DataViewRowId id) => id = new DataViewRowId((ulong)_position, 0);

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            var storage = view._columns[column.Index];
            Delegate getter = column.Type switch
            {
                VectorDataViewType vector => (ValueGetter<VBuffer<float>>)((ref VBuffer<float> value) =>
                {
                    var editor = VBufferEditor.Create(ref value, vector.Size);
                    ((float[])storage).AsSpan(_position * vector.Size, vector.Size).CopyTo(editor.Values);
                    value = editor.Commit();
                }),
                TextDataViewType => (ValueGetter<ReadOnlyMemory<char>>)((ref ReadOnlyMemory<char> value) => value = ((string[])storage)[_position].AsMemory()),
                _ => (ValueGetter<float>)((ref float value) => value = ((float[])storage)[_position]),
            };
            return getter as ValueGetter<TValue>
                ?? throw new InvalidOperationException($"Column '{column.Name}' is {column.Type}; it cannot be read as {typeof(TValue).Name}.");
        }
    }
}
