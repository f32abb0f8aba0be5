using AnomalyAE.Series;
using AnomalyAE.Transforms;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace AnomalyAE;

/// <summary>
/// A fitted sequence autoencoder (<see cref="SequenceAutoencoderEstimator"/>): adds to every row (time step) its
/// <c>Score</c>, <c>PredictedLabel</c> (<c>Score &gt; Threshold</c>), <c>Probability</c>, and on request the
/// <c>LatentFeatures</c> (the code of the window ending at the row), the <c>Reconstruction</c> (the row's channels as that
/// window reconstructs them) and the <c>FeatureContributions</c> (each channel's share of that window's error), under the
/// names the options gave them. Holds native (libtorch) weights through its <see cref="WindowModel"/>: dispose it when done.
/// </summary>
/// <remarks>
/// <para>A step's score comes from the windows of its series that cover it (<see cref="ScoreAggregation"/>): the window ending
/// at it (<see cref="WindowScoreAggregation.LastWindow"/>, online) or the mean of every window that holds it
/// (<see cref="WindowScoreAggregation.MeanOfCoveringWindows"/>, batch). A step no window of the aggregation covers — the first
/// <see cref="WindowSize"/> − 1 steps of a series (or after a gap) for <c>LastWindow</c>, the steps of a series shorter than the
/// window for both — gets a NaN score and probability, <c>PredictedLabel</c> false, and NaN vectors.</para>
/// <para><c>Transform</c> is lazy and keeps the input's rows and their order (one output row per input row): a cursor reads the
/// input a batch of rows ahead (for <c>MeanOfCoveringWindows</c> until the windows covering a row are read, about
/// <see cref="WindowSize"/> rows of its series) and scores the windows together. Rows of a series must come in time order
/// (with an order column, rows out of order are refused). A single row has no history, so this transformer is not a row
/// mapper: a <c>PredictionEngine</c> scores windows through <see cref="WindowModel"/>, whose input is a whole window.</para>
/// </remarks>
public sealed class SequenceAutoencoderTransformer : ITransformer, IDisposable, ICanSaveModel, IAnomalyDetector
{
    private int _disposed;

    internal SequenceAutoencoderTransformer(AutoencoderTransformer windowModel, SeriesSettings settings, OutputColumns outputs)
    {
        WindowModel = windowModel;
        Settings = settings;
        Outputs = outputs;
        Calibration = settings.Baseline is { CalibrationScores: { } scores, CalibrationProbabilities: { } probabilities }
            ? new Training.ScoreCalibration(scores, probabilities) : windowModel.Calibration;
    }

    /// <summary>
    /// The window model: the same network, threshold and calibration, over a column <c>Window</c> of
    /// <see cref="WindowSize"/> × <see cref="InputDimension"/> values (time-major, oldest step first), one row per window: for
    /// callers that keep their own window (a <c>PredictionEngine</c> with a vector input), and for ONNX export. Its <c>Score</c>
    /// of a window is the <c>LastWindow</c> score of the window's last step; its <c>Reconstruction</c> and
    /// <c>FeatureContributions</c> cover the whole window. This transformer owns it: create a <c>PredictionEngine</c> with
    /// <c>OwnsTransformer = false</c>, or over <c>WindowModel.WithThreshold(WindowModel.Threshold)</c>, which shares the weights.
    /// </summary>
    public AutoencoderTransformer WindowModel { get; }

    internal SeriesSettings Settings { get; }

    internal OutputColumns Outputs { get; }

    /// <summary>Steps per window.</summary>
    public int WindowSize => Settings.WindowSize;

    /// <summary>Channels per step (the values each row brings).</summary>
    public int InputDimension => Settings.Channels;

    /// <summary>Size of a window's latent code.</summary>
    public int LatentDimension => WindowModel.LatentDimension;

    /// <summary>
    /// Rows whose score is above this value get <c>PredictedLabel = true</c>: on the relative scores under a score baseline
    /// (<see cref="ScoreBaselineSteps"/>), else on the window's reconstruction error (<see cref="WindowModel"/>'s threshold).
    /// </summary>
    public float Threshold => Settings.Baseline?.Threshold ?? WindowModel.Threshold;

    /// <summary>Steps of the series' recent scores a step's score is relative to (<see cref="SequenceAutoencoderOptions.ScoreBaselineSteps"/>); 0 when the score is the window's reconstruction error.</summary>
    public int ScoreBaselineSteps => Settings.Baseline?.Steps ?? 0;

    /// <summary>Window scores averaged into a step's score under a baseline (<see cref="SequenceAutoencoderOptions.ScoreSmoothingSteps"/>); 1 without one.</summary>
    public int ScoreSmoothingSteps => Settings.Baseline?.Smoothing ?? 1;

    /// <summary>
    /// Steps of a series before a step that its score depends on: <see cref="WindowSize"/> − 1, plus the smoothing and the
    /// baseline's steps under a baseline. An online scorer that lost a series' state rebuilds it from this many steps.
    /// </summary>
    public int HistoryDepth => Settings.Baseline?.HistoryDepth(WindowSize) ?? WindowSize - 1;

    /// <summary>A new, empty baseline state for a scorer, or null without a baseline.</summary>
    internal Series.ScoreBaseline? NewBaseline() => Settings.Baseline is { } baseline ? new Series.ScoreBaseline(baseline) : null;

    /// <summary>The calibration of this stage's scores: the baseline's under a baseline, else the window model's.</summary>
    internal Training.ScoreCalibration? Calibration { get; }

    /// <summary>Training and validation loss of every epoch run.</summary>
    public IReadOnlyList<EpochLoss> TrainingHistory => WindowModel.TrainingHistory;

    /// <summary>The channels' column when <see cref="ChannelColumnNames"/> is null (a Single column or a vector of Single).</summary>
    public string FeatureColumnName => Settings.FeatureColumnName;

    /// <summary>The channels' Single columns, or null when they come from <see cref="FeatureColumnName"/>.</summary>
    public IReadOnlyList<string>? ChannelColumnNames => Settings.ChannelColumnNames;

    /// <summary>The series column, or null for one series.</summary>
    public string? SeriesColumnName => Settings.SeriesColumnName;

    /// <summary>The order column, or null when the rows are in order.</summary>
    public string? OrderColumnName => Settings.OrderColumnName;

    /// <summary>How the windows covering a step make its score.</summary>
    public WindowScoreAggregation ScoreAggregation => Settings.ScoreAggregation;

    /// <summary>What a missing value in a series does.</summary>
    public MissingValueHandling MissingValues => Settings.MissingValues;

    /// <inheritdoc />
    public string? ScoreColumnName => Outputs.NameOf(OutputKind.Score);
    /// <inheritdoc />
    public string? PredictedLabelColumnName => Outputs.NameOf(OutputKind.PredictedLabel);
    /// <inheritdoc />
    public string? LatentFeaturesColumnName => Outputs.NameOf(OutputKind.LatentFeatures);
    /// <inheritdoc />
    public string? ReconstructionColumnName => Outputs.NameOf(OutputKind.Reconstruction);
    /// <inheritdoc />
    public string? FeatureContributionsColumnName => Outputs.NameOf(OutputKind.FeatureContributions);
    /// <inheritdoc />
    public string? ProbabilityColumnName => Outputs.NameOf(OutputKind.Probability);
    /// <inheritdoc />
    public IReadOnlyList<string> OutputColumnNames => [.. Outputs.Columns.Select(c => c.Name)];

    /// <summary>False: a step's score needs the steps before it, so a single row cannot be scored alone (see <see cref="WindowModel"/>).</summary>
    public bool IsRowToRowMapper => false;

    /// <summary>Not supported: see <see cref="IsRowToRowMapper"/>.</summary>
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema) =>
        throw new NotSupportedException("A sequence autoencoder scores a row from the rows of its series before it, so it cannot score one row alone (no PredictionEngine " +
            "over rows). Score data views with Transform, or score whole windows with a PredictionEngine over SequenceAutoencoderTransformer.WindowModel, whose input is " +
            $"a vector of {WindowSize} × {InputDimension} values.");

    /// <inheritdoc />
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        return BuildSchema(SeriesInput.Bind(inputSchema, Settings, Settings.Channels));
    }

    /// <summary>Adds the output columns to <paramref name="input"/>. Lazy: rows are scored when a cursor reads them.</summary>
    public IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        ThrowIfDisposed();
        var series = SeriesInput.Bind(input.Schema, Settings, Settings.Channels);
        return new SequenceScoredDataView(input, BuildSchema(series), series, this);
    }

    /// <summary>A transformer sharing these weights with another decision threshold. Dispose each transformer you create.</summary>
    public SequenceAutoencoderTransformer WithThreshold(float threshold)
    {
        ThrowIfDisposed();
        return Settings.Baseline is { } baseline
            ? new(WindowModel.WithThreshold(WindowModel.Threshold), Settings with { Baseline = baseline with { Threshold = threshold } }, Outputs)
            : new(WindowModel.WithThreshold(threshold), Settings, Outputs);
    }

    /// <summary>
    /// A transformer sharing these weights that makes a step's score by <paramref name="aggregation"/> (e.g. the batch
    /// <see cref="WindowScoreAggregation.MeanOfCoveringWindows"/> of a model trained with the online default). Dispose each transformer you create.
    /// </summary>
    public SequenceAutoencoderTransformer WithScoreAggregation(WindowScoreAggregation aggregation)
    {
        Rules.ForOptions.Defined(nameof(aggregation), aggregation);
        ThrowIfDisposed();
        return new(WindowModel.WithThreshold(WindowModel.Threshold), Settings with { ScoreAggregation = aggregation }, Outputs);
    }

    /// <summary>
    /// The stages of <paramref name="model"/> before its last sequence stage (row mappers that prepare the steps) and that
    /// stage; null when it has none. Stages after it are not needed to score steps.
    /// </summary>
    internal static (ITransformer[] Prefix, SequenceAutoencoderTransformer Stage)? Split(ITransformer model)
    {
        var flat = new List<ITransformer>();
        void Visit(ITransformer transformer)
        {
            if (transformer is IEnumerable<ITransformer> chain) foreach (var inner in chain) Visit(inner);
            else flat.Add(transformer);
        }
        Visit(model);
        int at = flat.FindLastIndex(t => t is SequenceAutoencoderTransformer);
        return at < 0 ? null : ([.. flat.Take(at)], (SequenceAutoencoderTransformer)flat[at]);
    }

    /// <summary>The input columns (of <paramref name="inputSchema"/>) whose values the sequence stage of <paramref name="model"/> reads, through the stages before it.</summary>
    internal static IEnumerable<DataViewSchema.Column> InputsRead(ITransformer model, DataViewSchema inputSchema)
    {
        var (prefix, stage) = Split(model)!.Value;
        var stageSchema = prefix.Aggregate(inputSchema, (schema, t) => t.GetOutputSchema(schema));
        var read = SeriesInput.Bind(stageSchema, stage.Settings, stage.InputDimension).Columns.ToList();
        for (int i = prefix.Length - 1; i >= 0; i--)
        {
            var before = prefix.Take(i).Aggregate(inputSchema, (schema, t) => t.GetOutputSchema(schema));
            if (!prefix[i].IsRowToRowMapper) return before.Where(c => !c.IsHidden); // cannot tell: every column it has
            var names = prefix[i].GetRowToRowMapper(before).GetDependencies(read).Select(c => c.Name).Concat(read.Select(c => c.Name)).ToHashSet();
            read = [.. before.Where(c => names.Contains(c.Name) && !c.IsHidden)];
        }
        return read;
    }

    private DataViewSchema BuildSchema(SeriesInput series) =>
        Outputs.BuildSchema(series.Schema, OutputColumns.SlotNameAnnotations(series.ChannelNames()), Settings.Channels, LatentDimension);

    void ICanSaveModel.Save(ModelSaveContext ctx) =>
        throw new NotSupportedException(
            $"{nameof(SequenceAutoencoderTransformer)} holds TorchSharp weights that ML.NET's model format cannot store, so mlContext.Model.Save cannot save this pipeline. " +
            "Save it with mlContext.Autoencoders().Save(model, inputSchema, path) and load it with mlContext.Autoencoders().Load(path, out inputSchema).");

    /// <summary>Releases the native weights (through <see cref="WindowModel"/>) once no cursor is using them any more.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0) WindowModel.Dispose();
    }

    private void ThrowIfDisposed()
    {
        if (Volatile.Read(ref _disposed) != 0) throw new ObjectDisposedException(nameof(SequenceAutoencoderTransformer), Runtime.ScoringModel.DisposedMessage);
    }
}
