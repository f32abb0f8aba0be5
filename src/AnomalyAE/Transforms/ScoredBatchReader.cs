using AnomalyAE.Runtime;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace AnomalyAE.Transforms;

/// <summary>Getters over the rows of a libtorch <see cref="ScoredBatch"/>, for <see cref="OutputDefinition.Getter"/>: each first makes sure the current row is scored.</summary>
internal sealed class ScoredBatchReader(ScoredBatch batch, ScoringStage stage, Func<int> current, Action ensureScored)
{
    public ScoredBatch Batch => batch;
    public ScoringStage Stage => stage;

    public ValueGetter<float> Single(Func<int, float> value) => (ref float result) => { ensureScored(); result = value(current()); };

    public ValueGetter<bool> Flag(Func<int, bool> value) => (ref bool result) => { ensureScored(); result = value(current()); };

    /// <summary>A vector getter over the buffer <paramref name="source"/> picks (read after scoring: buffers are allocated on first use).</summary>
    public ValueGetter<VBuffer<float>> Vector(Func<ScoredBatch, float[]> source, int size) => (ref VBuffer<float> result) =>
    {
        ensureScored();
        var editor = VBufferEditor.Create(ref result, size);
        source(batch).AsSpan(current() * size, size).CopyTo(editor.Values);
        result = editor.Commit();
    };
}
