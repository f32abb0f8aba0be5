using AnomalyAE.Runtime;
using AnomalyAE.Data;
using AnomalyAE.Training;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace AnomalyAE.Transforms;

/// <summary>libtorch's <see cref="RowBatchScorer"/>: feature rows through a <see cref="ScoringModel"/>, then threshold and calibration.</summary>
internal sealed class RowScorer : RowBatchScorer
{
    private readonly ScoringModel _model;
    private readonly OutputColumns _outputs;
    private readonly DataViewSchema.Column _featureColumn;
    private readonly string _featureColumnName;
    private readonly float _threshold;
    private readonly ScoreCalibration? _calibration;
    private readonly float[] _features;
    private readonly ScoredBatch _batch;
    private ValueGetter<VBuffer<float>>? _featureGetter;
    private VBuffer<float> _row;

    /// <param name="stage">The model and its output columns.</param>
    /// <param name="featureColumn">The feature column of the input schema.</param>
    /// <param name="capacity">Rows per batch at most.</param>
    public RowScorer(ScoringStage stage, DataViewSchema.Column featureColumn, int capacity) : base(capacity)
    {
        _model = stage.Model;
        _outputs = stage.Outputs;
        _featureColumn = featureColumn;
        _featureColumnName = stage.FeatureColumnName;
        _threshold = stage.Threshold;
        _calibration = stage.Calibration;
        _features = new float[capacity * _model.InputDimension];
        _batch = new ScoredBatch(capacity, _model.InputDimension, _model.LatentDimension);
    }

    public override void Bind(DataViewRow source) => _featureGetter = source.GetGetter<VBuffer<float>>(_featureColumn);

    public override void Load(int slot, long rowPosition)
    {
        _featureGetter!(ref _row);
        if (_row.Length != _model.InputDimension)
            throw new InvalidOperationException($"Column '{_featureColumnName}' has {_row.Length} values at row {rowPosition}, but the model expects {_model.InputDimension}.");
        var destination = _features.AsSpan(slot * _model.InputDimension, _model.InputDimension);
        _row.CopyTo(destination);
        RowValues.CheckFinite(destination, rowPosition, _featureColumnName);
    }

    public override void Score(int count) => _model.Score(_features, count, _batch);

    public override Delegate MakeGetter(int output, Action ensureScored) => _outputs.Columns[output].Kind switch
    {
        OutputKind.Score => (ValueGetter<float>)((ref float value) => { ensureScored(); value = _batch.Scores[Current]; }),
        OutputKind.PredictedLabel => (ValueGetter<bool>)((ref bool value) => { ensureScored(); value = _batch.Scores[Current] > _threshold; }),
        OutputKind.Probability => ProbabilityGetter(_calibration ?? throw new InvalidOperationException("This model has no score calibration."), ensureScored),
        OutputKind.LatentFeatures => VectorGetter(_batch.Latent, _model.LatentDimension, ensureScored),
        OutputKind.LatentLogVariance => VectorGetter(_batch.LatentLogVariance, _model.LatentDimension, ensureScored),
        OutputKind.Reconstruction => VectorGetter(_batch.Reconstruction, _model.InputDimension, ensureScored),
        OutputKind.FeatureContributions => VectorGetter(_batch.Contributions, _model.InputDimension, ensureScored),
        var kind => throw new ArgumentOutOfRangeException(nameof(output), kind, null),
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
