using AnomalyAE.Data;
using AnomalyAE.Networks;
using AnomalyAE.Runtime;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace AnomalyAE.Transforms;

/// <summary>
/// libtorch's <see cref="RowBatchScorer"/>: feature rows through a <see cref="ScoringModel"/>, computing only the network
/// outputs that the getters made so far read; the columns themselves come from the <see cref="OutputCatalogue"/>.
/// </summary>
internal sealed class RowScorer : RowBatchScorer
{
    private readonly ScoringStage _stage;
    private readonly DataViewSchema.Column _featureColumn;
    private readonly int _inputDimension;
    private readonly float[] _features;
    private readonly ScoredBatch _batch;
    private NetworkOutputs _wanted = NetworkOutputs.ScoreOnly, _computed = NetworkOutputs.ScoreOnly;
    private ValueGetter<VBuffer<float>>? _featureGetter;
    private VBuffer<float> _row;

    /// <param name="stage">The model and its output columns.</param>
    /// <param name="featureColumn">The feature column of the input schema.</param>
    /// <param name="capacity">Rows per batch at most.</param>
    public RowScorer(ScoringStage stage, DataViewSchema.Column featureColumn, int capacity) : base(capacity)
    {
        _stage = stage;
        _featureColumn = featureColumn;
        _inputDimension = stage.Model.InputDimension;
        _features = new float[capacity * _inputDimension];
        _batch = new ScoredBatch(capacity, _inputDimension, stage.Model.LatentDimension);
    }

    public override void Bind(DataViewRow source) => _featureGetter = source.GetGetter<VBuffer<float>>(_featureColumn);

    public override bool Stale => (_wanted & ~_computed) != 0;

    public override void Load(int slot, long rowPosition)
    {
        _featureGetter!(ref _row);
        if (_row.Length != _inputDimension)
            throw new InvalidOperationException($"Column '{_stage.FeatureColumnName}' has {_row.Length} values at row {rowPosition}, but the model expects {_inputDimension}.");
        var destination = _features.AsSpan(slot * _inputDimension, _inputDimension);
        _row.CopyTo(destination);
        RowValues.CheckFinite(destination, rowPosition, _stage.FeatureColumnName);
    }

    public override void Score(int count)
    {
        _stage.Model.Score(_features, count, _batch, _wanted);
        _computed = _wanted;
    }

    public override Delegate MakeGetter(int output, Action ensureScored)
    {
        var definition = _stage.Outputs.Columns[output].Definition;
        _wanted |= definition.Needs;
        return definition.Getter(new ScoredBatchReader(_batch, _stage, () => Current, ensureScored));
    }
}
