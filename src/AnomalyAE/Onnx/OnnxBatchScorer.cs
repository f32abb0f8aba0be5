using AnomalyAE.Transforms;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace AnomalyAE.Onnx;

/// <summary>ONNX Runtime's <see cref="RowBatchScorer"/>: a batch runner fed from the columns the graph's inputs come from.</summary>
internal sealed class OnnxBatchScorer(OnnxScoringModel model, int capacity) : RowBatchScorer(capacity)
{
    private readonly OnnxBatchRunner _runner = new(model, capacity, fetched: []);
    private readonly HashSet<int> _wanted = [];
    private int _computed;
    private OnnxInputColumns? _columns;

    public override void Bind(DataViewRow source) => _columns = new OnnxInputColumns(model, source);

    public override void Load(int slot, long rowPosition) => _columns!.Read(_runner, slot, rowPosition);

    public override bool Stale => _wanted.Count != _computed;

    public override void Score(int count)
    {
        if (Stale) _runner.Fetch(_wanted);
        _runner.Run(count);
        _computed = _wanted.Count;
    }

    // Only the outputs read are fetched: ONNX Runtime then runs only the nodes they need.
    public override Delegate MakeGetter(int output, Action ensureScored)
    {
        _wanted.Add(output);
        _runner.Fetch(_wanted);
        var spec = model.Outputs[output];
        switch (_runner.Outputs[output])
        {
            case bool[] labels:
                return (ValueGetter<bool>)((ref bool value) => { ensureScored(); value = labels[Current]; });
            case float[] values when !spec.IsVector:
                return (ValueGetter<float>)((ref float value) => { ensureScored(); value = values[Current]; });
            case float[] values:
                int width = spec.Width;
                return (ValueGetter<VBuffer<float>>)((ref VBuffer<float> value) =>
                {
                    ensureScored();
                    var editor = VBufferEditor.Create(ref value, width);
                    values.AsSpan(Current * width, width).CopyTo(editor.Values);
                    value = editor.Commit();
                });
            default:
                throw new InvalidOperationException($"Output '{spec.Name}' has no buffer.");
        }
    }

    public override void Dispose() => _runner.Dispose();
}
