using AnomalyAE.Data;
using AnomalyAE.Runtime;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace AnomalyAE;

/// <summary>
/// Shared surface of the fitted autoencoder transformers: adds the score, predicted label, probability, latent features,
/// reconstruction (and on request feature contributions) columns, lazily and in batches. Holds native (libtorch) weights: dispose it when done.
/// </summary>
public abstract class AutoencoderTransformerBase : ITransformer, IDisposable, ICanSaveModel, IAnomalyDetector
{
    private int _disposed;

    private protected AutoencoderTransformerBase(Transforms.ScoringStage stage, IReadOnlyList<EpochLoss> trainingHistory)
    {
        if (stage.Calibration is null && stage.Outputs.Has(Transforms.OutputKind.Probability))
            throw new ArgumentException("A transformer that emits a probability column needs the score's calibration.", nameof(stage));
        Stage = stage;
        TrainingHistory = trainingHistory;
    }

    /// <summary>Rows whose score is above this value get <c>PredictedLabel = true</c>.</summary>
    public float Threshold => Stage.Threshold;

    /// <summary>The input column the model reads.</summary>
    public string FeatureColumnName => Stage.FeatureColumnName;

    /// <summary>Number of features per row the model was trained on.</summary>
    public int InputDimension => Model.InputDimension;

    /// <summary>Size of the latent code.</summary>
    public int LatentDimension => Model.LatentDimension;

    /// <summary>Training and validation loss of every epoch run.</summary>
    public IReadOnlyList<EpochLoss> TrainingHistory { get; }

    /// <summary>The column holding the anomaly score (Single, higher = more anomalous); null when the model does not emit it.</summary>
    public string? ScoreColumnName => Outputs.NameOf(Transforms.OutputKind.Score);

    /// <summary>The column holding <c>Score &gt; Threshold</c> (Boolean); null when the model does not emit it.</summary>
    public string? PredictedLabelColumnName => Outputs.NameOf(Transforms.OutputKind.PredictedLabel);

    /// <summary>The column holding the latent code (a vector of <see cref="LatentDimension"/> Single); null when the model does not emit it.</summary>
    public string? LatentFeaturesColumnName => Outputs.NameOf(Transforms.OutputKind.LatentFeatures);

    /// <summary>The column holding the reconstruction (a vector of <see cref="InputDimension"/> Single); null when the model does not emit it.</summary>
    public string? ReconstructionColumnName => Outputs.NameOf(Transforms.OutputKind.Reconstruction);

    /// <summary>
    /// The column holding each feature's share of the row's reconstruction error (a vector of <see cref="InputDimension"/>
    /// Single in [0, 1] summing to 1, with the input's slot names; see <see cref="AutoencoderOptionsBase.FeatureContributionsColumnName"/>);
    /// null when the model does not emit it.
    /// </summary>
    public string? FeatureContributionsColumnName => Outputs.NameOf(Transforms.OutputKind.FeatureContributions);

    /// <summary>
    /// The column holding the calibrated anomaly probability (Single in [0, 1], non-decreasing in the score; see
    /// <see cref="AutoencoderOptionsBase.ProbabilityColumnName"/>); null when the model does not emit it.
    /// </summary>
    public string? ProbabilityColumnName => Outputs.NameOf(Transforms.OutputKind.Probability);

    /// <summary>Every column this transformer adds, in schema order.</summary>
    public IReadOnlyList<string> OutputColumnNames => [.. Outputs.Columns.Select(c => c.Name)];

    /// <summary>Always true: <c>CreatePredictionEngine</c> works on models containing this transformer.</summary>
    public bool IsRowToRowMapper => true;

    internal Transforms.ScoringStage Stage { get; }

    internal ScoringModel Model => Stage.Model;

    internal Transforms.OutputColumns Outputs => Stage.Outputs;

    /// <summary>The map from score to probability fitted on the training scores; null for models saved without one.</summary>
    internal Training.ScoreCalibration? Calibration => Stage.Calibration;

    /// <inheritdoc />
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        var features = FeatureColumn.Find(inputSchema, FeatureColumnName, InputDimension);
        return Stage.BuildSchema(inputSchema, features);
    }

    /// <summary>Adds the output columns to <paramref name="input"/>. Lazy: rows are scored when a cursor reads them.</summary>
    public IDataView Transform(IDataView input)
    {
        ThrowIfDisposed();
        var (schema, features, createScorer) = Scoring(input.Schema);
        return new Transforms.ScoredDataView(input, schema, [features], Model.BatchSize, createScorer);
    }

    /// <inheritdoc />
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema)
    {
        ThrowIfDisposed();
        var (schema, features, createScorer) = Scoring(inputSchema);
        return new Transforms.ScoringRowMapper(inputSchema, schema, [features], createScorer);
    }

    /// <summary>The output schema over <paramref name="inputSchema"/>, its (checked) feature column, and a maker of scorers that read it.</summary>
    private (DataViewSchema Schema, DataViewSchema.Column Features, Func<int, Transforms.RowBatchScorer> CreateScorer) Scoring(DataViewSchema inputSchema)
    {
        var stage = Stage;
        var features = FeatureColumn.Find(inputSchema, FeatureColumnName, InputDimension);
        return (stage.BuildSchema(inputSchema, features), features, capacity => new Transforms.RowScorer(stage, features, capacity));
    }

    void ICanSaveModel.Save(ModelSaveContext ctx) =>
        throw new NotSupportedException(
            $"{GetType().Name} holds TorchSharp weights that ML.NET's model format cannot store, so mlContext.Model.Save cannot save this pipeline. " +
            "Save it with mlContext.Autoencoders().Save(model, inputSchema, path) and load it with mlContext.Autoencoders().Load(path, out inputSchema).");

    /// <summary>Releases the native weights once no cursor is using them any more.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0) Model.Release();
        GC.SuppressFinalize(this);
    }

    /// <summary>
    /// The transformer that serves <paramref name="stage"/>'s network, for fit and load alike: a network that decodes latent
    /// points (<see cref="Networks.ILatentDecoder"/>, a variational autoencoder) gets the transformer that also decodes and
    /// generates; every other network is served by <see cref="AutoencoderTransformer"/>.
    /// </summary>
    internal static AutoencoderTransformerBase Create(Transforms.ScoringStage stage, IReadOnlyList<EpochLoss> history) =>
        stage.Model.Network is Networks.ILatentDecoder
            ? new VariationalAutoencoderTransformer(stage, history)
            : new AutoencoderTransformer(stage, history);

    /// <summary>This stage with another (checked) threshold, holding a new reference to the shared model.</summary>
    private protected Transforms.ScoringStage ShareStage(float threshold)
    {
        Rules.ForOptions.Finite(nameof(threshold), threshold);
        ThrowIfDisposed();
        if (!Model.TryAcquire()) throw Disposed();
        return Stage.WithThreshold(threshold);
    }

    private void ThrowIfDisposed()
    {
        if (Volatile.Read(ref _disposed) != 0) throw Disposed();
    }

    private ObjectDisposedException Disposed() => new(GetType().Name, ScoringModel.DisposedMessage);
}

/// <summary>
/// The fitted autoencoder transformers' base typed by the transformer itself, so that copies such as
/// <see cref="WithThreshold(float)"/> return the caller's type.
/// </summary>
/// <typeparam name="TSelf">The transformer type deriving from this class.</typeparam>
public abstract class AutoencoderTransformerBase<TSelf> : AutoencoderTransformerBase
    where TSelf : AutoencoderTransformerBase<TSelf>
{
    private protected AutoencoderTransformerBase(Transforms.ScoringStage stage, IReadOnlyList<EpochLoss> trainingHistory) : base(stage, trainingHistory)
    {
    }

    /// <summary>A transformer sharing these weights with another decision threshold. Dispose each transformer you create.</summary>
    public TSelf WithThreshold(float threshold) => With(ShareStage(threshold));

    /// <summary>A transformer of this type over <paramref name="stage"/> (whose model reference it takes over), with this history.</summary>
    private protected abstract TSelf With(Transforms.ScoringStage stage);
}
