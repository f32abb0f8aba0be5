using Microsoft.ML;
using Microsoft.ML.Data;

namespace AnomalyAE.AspNetCore;

/// <summary>
/// A <see cref="DataViewRow"/> over one row of a <see cref="RowBatch"/>, the input of a <see cref="RowEngine"/>. Input
/// schema columns the score does not depend on read as default values. Every move gets a new position, which tells the
/// model's row mapper that the values changed.
/// </summary>
internal sealed class BatchRow(DataViewSchema schema, IReadOnlyList<ServedColumn> columns) : DataViewRow
{
    private readonly Dictionary<int, int> _slotOfColumn = columns.Select((c, slot) => (c.Column.Index, slot)).ToDictionary(p => p.Index, p => p.slot);
    private RowBatch? _batch;
    private int _row;
    private long _position = -1;

    public override DataViewSchema Schema => schema;
    public override long Position => _position;
    public override long Batch => 0;
    public override bool IsColumnActive(DataViewSchema.Column column) => true;
    public override ValueGetter<DataViewRowId> GetIdGetter() => (ref DataViewRowId id) => id = new DataViewRowId((ulong)_position, 0);

    /// <summary>Serves row <paramref name="row"/> of <paramref name="batch"/> (whose columns are this row's).</summary>
    public void MoveTo(RowBatch batch, int row)
    {
        _batch = batch;
        _row = row;
        _position++;
    }

    public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
    {
        if (!_slotOfColumn.TryGetValue(column.Index, out int slot)) return (ref TValue value) => value = default!;
        Delegate getter = columns[slot].Kind switch
        {
            ServedValueKind.Number => (ValueGetter<float>)((ref float value) => value = ((float[])_batch!.Values[slot])[_row]),
            ServedValueKind.Numbers => (ValueGetter<VBuffer<float>>)((ref VBuffer<float> value) =>
            {
                var numbers = ((float[][])_batch!.Values[slot])[_row];
                var editor = VBufferEditor.Create(ref value, numbers.Length);
                numbers.CopyTo(editor.Values);
                value = editor.Commit();
            }),
            _ => (ValueGetter<ReadOnlyMemory<char>>)((ref ReadOnlyMemory<char> value) => value = ((string[])_batch!.Values[slot])[_row].AsMemory()),
        };
        return getter as ValueGetter<TValue>
            ?? throw new InvalidOperationException($"Column '{column.Name}' is {column.Type}, not {typeof(TValue).Name}.");
    }
}
