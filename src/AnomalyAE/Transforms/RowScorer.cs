using AnomalyAE.Runtime;
using AnomalyAE.Data;
using AnomalyAE.Training;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace AnomalyAE.Transforms;

/// <summary>
/// Output values of the current row, computed a batch at a time. Shared by the batched cursor and the
/// single-row mapper: both hand it feature rows and read values of one row back through getters.
/// </summary>
internal sealed class RowScorer
{
    private readonly ScoringModel _model;
    private readonly string _featureColumnName;
    private readonly float _threshold;
    private readonly ScoreCalibration? _calibration;
    private readonly float[] _features;
    private readonly ScoredBatch _batch;

    public RowScorer(ScoringStage stage, int capacity)
    {
        _model = stage.Model;
        _featureColumnName = stage.FeatureColumnName;
        _threshold = stage.Threshold;
        _calibration = stage.Calibration;
        Capacity = capacity;
        _features = new float[capacity * _model.InputDimension];
        _batch = new ScoredBatch(capacity, _model.InputDimension, _model.LatentDimension);
    }

    public int Capacity { get; }

    /// <summary>Index within the current batch of the row whose values the getters return.</summary>
    public int Current { get; set; }

    /// <summary>Stores one input row (checked) at <paramref name="slot"/> of the next batch.</summary>
    public void Load(int slot, in VBuffer<float> row, long rowPosition)
    {
        if (row.Length != _model.InputDimension)
            throw new InvalidOperationException($"Column '{_featureColumnName}' has {row.Length} values at row {rowPosition}, but the model expects {_model.InputDimension}.");
        var destination = _features.AsSpan(slot * _model.InputDimension, _model.InputDimension);
        row.CopyTo(destination);
        RowValues.CheckFinite(destination, rowPosition, _featureColumnName);
    }

    /// <summary>Scores the first <paramref name="count"/> loaded rows.</summary>
    public void Score(int count) => _model.Score(_features, count, _batch);

    public Delegate MakeGetter(OutputKind kind, Action ensureScored) => kind switch
    {
        OutputKind.Score => (ValueGetter<float>)((ref float value) => { ensureScored(); value = _batch.Scores[Current]; }),
        OutputKind.PredictedLabel => (ValueGetter<bool>)((ref bool value) => { ensureScored(); value = _batch.Scores[Current] > _threshold; }),
        OutputKind.Probability => ProbabilityGetter(_calibration ?? throw new InvalidOperationException("This model has no score calibration."), ensureScored),
        OutputKind.LatentFeatures => VectorGetter(_batch.Latent, _model.LatentDimension, ensureScored),
        OutputKind.LatentLogVariance => VectorGetter(_batch.LatentLogVariance, _model.LatentDimension, ensureScored),
        OutputKind.Reconstruction => VectorGetter(_batch.Reconstruction, _model.InputDimension, ensureScored),
        OutputKind.FeatureContributions => VectorGetter(_batch.Contributions, _model.InputDimension, ensureScored),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    private ValueGetter<float> ProbabilityGetter(ScoreCalibration calibration, Action ensureScored) =>
        (ref float value) => { ensureScored(); value = calibration.Probability(_batch.Scores[Current]); };

    private ValueGetter<VBuffer<float>> VectorGetter(float[] source, int size, Action ensureScored) =>
        (ref VBuffer<float> value) =>
        {
            ensureScored();
            var editor = VBufferEditor.Create(ref value, size);
            source.AsSpan(Current * size, size).CopyTo(editor.Values);
            value = editor.Commit();
        };
}
