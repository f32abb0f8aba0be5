using Microsoft.ML;
using Microsoft.ML.Data;

namespace AnomalyAE.AspNetCore;

/// <summary>Copies the served output columns of a scored row (a <see cref="RowEngine"/>'s row or a cursor) into a <see cref="RowBatch"/>.</summary>
internal sealed class OutputReader
{
    private readonly Action<RowBatch, int>[] _readers;

    public OutputReader(DataViewRow row, IReadOnlyList<ServedColumn> outputs)
    {
        _readers = [.. outputs.Select((output, slot) => Reader(row, row.Schema[output.Name], output.Kind, slot))];
    }

    /// <summary>Reads the row's current values into row <paramref name="row"/> of <paramref name="into"/>.</summary>
    public void Read(RowBatch into, int row)
    {
        foreach (var read in _readers) read(into, row);
    }

    private static Action<RowBatch, int> Reader(DataViewRow source, DataViewSchema.Column column, ServedValueKind kind, int slot)
    {
        switch (kind)
        {
            case ServedValueKind.Number:
            {
                var getter = source.GetGetter<float>(column);
                return (into, row) => getter(ref ((float[])into.Values[slot])[row]);
            }
            case ServedValueKind.Boolean:
            {
                var getter = source.GetGetter<bool>(column);
                return (into, row) => getter(ref ((bool[])into.Values[slot])[row]);
            }
            case ServedValueKind.Numbers:
            {
                var getter = source.GetGetter<VBuffer<float>>(column);
                VBuffer<float> buffer = default;
                return (into, row) =>
                {
                    getter(ref buffer);
                    var values = new float[buffer.Length];
                    buffer.CopyTo(values);
                    ((float[][])into.Values[slot])[row] = values;
                };
            }
            default:
            {
                var getter = source.GetGetter<ReadOnlyMemory<char>>(column);
                ReadOnlyMemory<char> text = default;
                return (into, row) =>
                {
                    getter(ref text);
                    ((string[])into.Values[slot])[row] = text.ToString();
                };
            }
        }
    }
}
