using Microsoft.ML;
using Microsoft.ML.Data;

namespace AnomalyAE.Onnx;

/// <summary>Getters that serve one row of a runner's output buffers, the row chosen by <see cref="Current"/>.</summary>
internal sealed class OnnxOutputGetters(OnnxBatchRunner runner, OnnxScoringModel model)
{
    public int Current { get; set; }

    public Delegate Make(int output, Action ensureScored)
    {
        var spec = model.Outputs[output];
        switch (runner.Outputs[output])
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
}
