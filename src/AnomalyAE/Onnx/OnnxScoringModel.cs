using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.OnnxRuntime;

namespace AnomalyAE.Onnx;

/// <summary>A graph input: the input column it reads and its values per row (1 for a Single column).</summary>
internal sealed record OnnxInput(string Name, int Width);

/// <summary>
/// A graph output: its column, what it carries, its values per row (1 for Score and PredictedLabel), its type, and whether
/// it has one value per feature and so carries the features' slot names.
/// </summary>
internal sealed record OnnxOutput(string Name, string Kind, int Width, DataViewType Type, bool KeepsSlotNames)
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
    private readonly Runtime.ReferenceCount _references;

    public OnnxScoringModel(InferenceSession session, OnnxModelInfo info, IReadOnlyList<OnnxInput> inputs, IReadOnlyList<OnnxOutput> outputs)
    {
        Session = session;
        _references = new(session.Dispose);
        Info = info;
        Inputs = inputs;
        Outputs = outputs;
    }

    public InferenceSession Session { get; }
    public OnnxModelInfo Info { get; }
    public IReadOnlyList<OnnxInput> Inputs { get; }
    public IReadOnlyList<OnnxOutput> Outputs { get; }

    /// <summary>Takes a reference; false when the session is already freed.</summary>
    public bool TryAcquire() => _references.TryAcquire();

    /// <summary>Gives a reference back; the last one frees the session.</summary>
    public void Release() => _references.Release();
}
