using Microsoft.ML;
using Microsoft.ML.Data;

namespace AnomalyAE.Onnx;

/// <summary>Reads the columns a graph's inputs come from into a runner's input buffers, checking type and finiteness.</summary>
internal sealed class OnnxInputColumns
{
    private readonly OnnxScoringModel _model;
    private readonly Action<int, float[], int, long>[] _readers;

    public OnnxInputColumns(OnnxScoringModel model, DataViewRow row)
    {
        _model = model;
        _readers = [.. model.Inputs.Select(input => Reader(row, Find(row.Schema, input), input))];
    }

    /// <summary>The input column of <paramref name="input"/>: a Single (width 1) or a Vector&lt;Single, width&gt;.</summary>
    public static DataViewSchema.Column Find(DataViewSchema schema, OnnxInput input)
    {
        var column = schema.GetColumnOrNull(input.Name)
            ?? throw new ArgumentOutOfRangeException(nameof(schema), $"Input column '{input.Name}' that the ONNX model reads was not found. Give the data the columns the model was exported with (the schema Load returns).");
        bool matches = column.Type == NumberDataViewType.Single && input.Width == 1
            || column.Type is VectorDataViewType { ItemType: var item, Size: var size } && item == NumberDataViewType.Single && size == input.Width;
        if (!matches)
            throw new ArgumentOutOfRangeException(nameof(schema), $"Input column '{input.Name}' is {column.Type}, but the ONNX model reads {(input.Width == 1 ? "Single" : $"Vector<Single, {input.Width}>")} there. Prepare the data as it was for export.");
        return column;
    }

    /// <summary>Copies the current row of every input column into slot <paramref name="slot"/> of <paramref name="runner"/>.</summary>
    public void Read(OnnxBatchRunner runner, int slot, long rowPosition)
    {
        for (int i = 0; i < _readers.Length; i++) _readers[i](slot, runner.Inputs[i], _model.Inputs[i].Width, rowPosition);
    }

    private static Action<int, float[], int, long> Reader(DataViewRow row, DataViewSchema.Column column, OnnxInput input)
    {
        if (column.Type is not VectorDataViewType)
        {
            var getter = row.GetGetter<float>(column);
            float value = 0;
            return (slot, buffer, _, position) =>
            {
                getter(ref value);
                buffer[slot] = value;
                Data.RowValues.CheckFinite(buffer.AsSpan(slot, 1), position, input.Name);
            };
        }
        var vectorGetter = row.GetGetter<VBuffer<float>>(column);
        VBuffer<float> vector = default;
        return (slot, buffer, width, position) =>
        {
            vectorGetter(ref vector);
            var destination = buffer.AsSpan(slot * width, width);
            vector.CopyTo(destination);
            Data.RowValues.CheckFinite(destination, position, input.Name);
        };
    }
}
