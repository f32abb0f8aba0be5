using Microsoft.ML;
using Microsoft.ML.Data;

namespace AnomalyAE.DataViews;

/// <summary>
/// An in-memory <see cref="IDataView"/> over flat column arrays, for schemas known only at run time (ML.NET's
/// <c>LoadFromEnumerable</c> needs a class per schema): Single columns (one float per row), known-size Vector&lt;Single, n&gt;
/// columns (n floats per row, row after row) and Text columns (one string per row). Build one column by column with
/// <see cref="Builder"/>, or allocate one for a schema with <see cref="ForSchema"/> and fill its arrays in place
/// (<see cref="Numbers"/>, <see cref="Texts"/>, <see cref="Rows"/>), as a host that parses records straight into a model's
/// inputs does.
/// </summary>
public sealed class ColumnarDataView : IDataView
{
    private readonly Array[] _columns;
    private int _rows;

    private ColumnarDataView(DataViewSchema schema, Array[] columns, int rows)
    {
        Schema = schema;
        _columns = columns;
        _rows = rows;
    }

    /// <summary>
    /// Empty arrays for <paramref name="capacity"/> rows of every column of <paramref name="schema"/>, which may hold Single,
    /// known-size Vector&lt;Single&gt; and Text columns only; <see cref="Rows"/> starts at 0.
    /// </summary>
    /// <exception cref="ArgumentException">A column has another type; the message names it.</exception>
    public static ColumnarDataView ForSchema(DataViewSchema schema, int capacity)
    {
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentOutOfRangeException.ThrowIfNegative(capacity);
        return new(schema, [.. schema.Select(c => Storage(c, capacity))], 0);
    }

    /// <summary>Rows the view shows: the first rows of every column's array (at most its capacity).</summary>
    public int Rows
    {
        get => _rows;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, Capacity);
            _rows = value;
        }
    }

    /// <summary>Rows the arrays hold room for.</summary>
    public int Capacity => Schema.Count == 0 ? _rows : _columns[0].Length / Width(0);

    /// <summary>The array of a Single or vector column (a vector's row r starts at r × size).</summary>
    public float[] Numbers(int column) => _columns[column] as float[] ?? throw new ArgumentException($"Column '{Schema[column].Name}' is {Schema[column].Type}, not numbers.", nameof(column));

    /// <summary>The array of a Text column.</summary>
    public string[] Texts(int column) => _columns[column] as string[] ?? throw new ArgumentException($"Column '{Schema[column].Name}' is {Schema[column].Type}, not text.", nameof(column));

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

    private int Width(int column) => Schema[column].Type is VectorDataViewType vector ? vector.Size : 1;

    private static Array Storage(DataViewSchema.Column column, int rows) => column.Type switch
    {
        VectorDataViewType { IsKnownSize: true, ItemType: var item, Size: var size } when item == NumberDataViewType.Single => new float[(long)rows * size],
        TextDataViewType => new string[rows],
        var type when type == NumberDataViewType.Single => new float[rows],
        var type => throw new ArgumentException($"Column '{column.Name}' is {type}; a ColumnarDataView holds Single, Vector<Single, n> and Text columns.", nameof(column)),
    };

    /// <summary>Collects columns of equal length, then builds the view.</summary>
    public sealed class Builder
    {
        private readonly DataViewSchema.Builder _schema = new();
        private readonly List<Array> _columns = [];
        private int? _rows;

        /// <summary>Adds a Single column.</summary>
        public Builder AddSingle(string name, float[] values) => Add(name, NumberDataViewType.Single, values, values.Length);

        /// <summary>Adds a Vector&lt;Single, <paramref name="size"/>&gt; column; every row must have that many values.</summary>
        public Builder AddVector(string name, int size, float[][] values)
        {
            var flat = new float[(long)values.Length * size];
            for (int i = 0; i < values.Length; i++)
            {
                if (values[i].Length != size) throw new ArgumentException($"Row {i} of column '{name}' has {values[i].Length} values; the column holds {size}.", nameof(values));
                values[i].CopyTo(flat, (long)i * size);
            }
            return Add(name, new VectorDataViewType(NumberDataViewType.Single, size), flat, values.Length);
        }

        /// <summary>Adds a Text column.</summary>
        public Builder AddText(string name, string[] values) => Add(name, TextDataViewType.Instance, values, values.Length);

        /// <summary>The view over the columns added so far.</summary>
        public ColumnarDataView Build() => new(_schema.ToSchema(), [.. _columns], _rows ?? 0);

        private Builder Add(string name, DataViewType type, Array values, int rows)
        {
            if (_rows is int existing && rows != existing)
                throw new ArgumentException($"Column '{name}' has {rows} rows; the other columns have {existing}.", nameof(values));
            _rows = rows;
            _schema.AddColumn(name, type);
            _columns.Add(values);
            return this;
        }
    }

    private sealed class Cursor(ColumnarDataView view, HashSet<int> active) : DataViewRowCursor
    {
        private readonly int _rows = view._rows;
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
            Delegate getter = (storage, column.Type) switch
            {
                (float[] numbers, VectorDataViewType vector) => (ValueGetter<VBuffer<float>>)((ref VBuffer<float> value) =>
                {
                    var editor = VBufferEditor.Create(ref value, vector.Size);
                    numbers.AsSpan(_position * vector.Size, vector.Size).CopyTo(editor.Values);
                    value = editor.Commit();
                }),
                (float[] numbers, _) => (ValueGetter<float>)((ref float value) => value = numbers[_position]),
                (string[] texts, _) => (ValueGetter<ReadOnlyMemory<char>>)((ref ReadOnlyMemory<char> value) => value = texts[_position].AsMemory()),
                _ => throw new InvalidOperationException("Unknown column storage."),
            };
            return getter as ValueGetter<TValue>
                ?? throw new InvalidOperationException($"Column '{column.Name}' is {column.Type}; it cannot be read as {typeof(TValue).Name}.");
        }
    }
}
