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

    public ValueGetter<VBuffer<float>> Vector(float[] source, int size) => (ref VBuffer<float> result) =>
    {
        ensureScored();
        var editor = VBufferEditor.Create(ref result, size);
        source.AsSpan(current() * size, size).CopyTo(editor.Values);
        result = editor.Commit();
    };
}
