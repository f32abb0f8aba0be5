using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.OnnxRuntime;

namespace AnomalyAE.Onnx;

/// <summary>A graph input: the input column it reads and its values per row (1 for a Single column).</summary>
internal sealed record OnnxInput(string Name, int Width);

/// <summary>A graph output: its column, what it carries, its values per row (1 for Score and PredictedLabel) and its type.</summary>
internal sealed record OnnxOutput(string Name, string Kind, int Width, DataViewType Type)
{
    public bool IsBoolean => Type is BooleanDataViewType;
    public bool IsVector => Type is VectorDataViewType;
}

/// <summary>
/// An exported model loaded into ONNX Runtime, shared by a transformer, its copies and their cursors. Reference counted like
/// the libtorch <c>ScoringModel</c>: the session is freed when the last holder lets go, so disposing a transformer while
/// another thread scores never frees it underneath.
/// </summary>
internal sealed class OnnxScoringModel
{
    private readonly object _gate = new();
    private int _references = 1;

    public OnnxScoringModel(InferenceSession session, OnnxModelInfo info, IReadOnlyList<OnnxInput> inputs, IReadOnlyList<OnnxOutput> outputs)
    {
        Session = session;
        Info = info;
        Inputs = inputs;
        Outputs = outputs;
    }

    public InferenceSession Session { get; }
    public OnnxModelInfo Info { get; }
    public IReadOnlyList<OnnxInput> Inputs { get; }
    public IReadOnlyList<OnnxOutput> Outputs { get; }

    public bool TryAcquire()
    {
        lock (_gate)
        {
            if (_references == 0) return false;
            _references++;
            return true;
        }
    }

    public void Release()
    {
        lock (_gate)
        {
            if (_references == 0 || --_references > 0) return;
        }
        Session.Dispose();
    }
}
