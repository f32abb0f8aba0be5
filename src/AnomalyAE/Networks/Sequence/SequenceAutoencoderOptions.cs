using AnomalyAE.Networks;

namespace AnomalyAE;

/// <summary>
/// Options for <see cref="SequenceAutoencoderEstimator"/>: an autoencoder over sliding windows of a time series. The input
/// has one row per time step, in time order (or with <see cref="OrderColumnName"/>); its channels are
/// <see cref="AutoencoderOptionsBase.FeatureColumnName"/> (a Single column, or a known-size vector of Single) or the Single columns of
/// <see cref="ChannelColumnNames"/>. Many series in one data view are windowed apart by <see cref="SeriesColumnName"/>. The
/// network (<see cref="Architecture"/>) reconstructs windows of <see cref="WindowSize"/> steps; a step's <c>Score</c> comes
/// from the reconstruction errors of the windows that cover it (<see cref="ScoreAggregation"/>).
/// </summary>
/// <remarks>
/// Every option of <see cref="AutoencoderOptionsBase"/> applies to the window network: its training, ensembles
/// (<see cref="AutoencoderOptionsBase.EnsembleSize"/>), robust and streamed training, seeds and threads, and the threshold
/// (<see cref="AutoencoderOptionsBase.ThresholdRule"/>). A window is a vector of <see cref="WindowSize"/> × channels values,
/// time-major: the oldest step's channels first, the step the window ends at last. The same options train a window model
/// directly with <c>ml.Autoencoders().Variant(options)</c> on a vector column of such windows.
/// <para>
/// <see cref="AutoencoderOptionsBase.HiddenLayers"/> are read by the architecture: the widths of the dense layers
/// (<see cref="SequenceArchitecture.Dense"/>), the filters of each convolution (<see cref="SequenceArchitecture.Convolutional"/>,
/// each halving the steps), or the one state width of the recurrent cell (<see cref="SequenceArchitecture.Recurrent"/>).
/// </para>
/// </remarks>
public sealed class SequenceAutoencoderOptions : AutoencoderOptionsBase
{
    /// <summary>Options with every default (see <see cref="AutoencoderOptionsBase.Defaults"/>).</summary>
    public SequenceAutoencoderOptions()
    {
        EnsembleSize = Defaults.SequenceEnsembleSize;
        ThresholdRule = Defaults.SequenceThresholdRule;
    }

    /// <summary>
    /// Time steps per window (at least 2). A step is scored by the window of this many steps that ends at it, so the first
    /// <see cref="WindowSize"/> − 1 steps of a series have no window of their own (see <see cref="ScoreAggregation"/>).
    /// </summary>
    public int WindowSize { get; set; } = Defaults.WindowSize;

    /// <summary>Steps between the starts of consecutive training windows (1: every window). Scoring always reads every window.</summary>
    public int TrainingStride { get; set; } = Defaults.TrainingStride;

    /// <summary>The network over a window.</summary>
    public SequenceArchitecture Architecture { get; set; } = Defaults.SequenceArchitecture;

    /// <summary>The cell of a <see cref="SequenceArchitecture.Recurrent"/> network.</summary>
    public RecurrentCell Cell { get; set; } = Defaults.RecurrentCell;

    /// <summary>
    /// The channels as Single columns, one per channel, in this order (e.g. <c>["cpu", "memory", "latency"]</c>); null (default)
    /// reads <see cref="AutoencoderOptionsBase.FeatureColumnName"/>, a Single column (one channel) or a known-size vector of
    /// Single (one channel per slot).
    /// </summary>
    public string[]? ChannelColumnNames { get; set; }

    /// <summary>
    /// The column that says which series a row belongs to (Text, or any integer, floating-point or key type); rows of one
    /// series are windowed together, and the series may be interleaved. Null (default): every row is one series.
    /// </summary>
    public string? SeriesColumnName { get; set; }

    /// <summary>
    /// The column that orders the rows of a series (an integer, floating-point, <c>DateTime</c>, <c>DateTimeOffset</c> or Text
    /// column; Text compares by ordinal, which orders ISO 8601 timestamps). Training sorts each series by it when the steps are
    /// held in memory and refuses rows out of order when they are streamed; scoring (a lazy view, one output row per input
    /// row) refuses rows out of order. Two rows of a series with the same value are refused. Null (default): the rows are in order.
    /// </summary>
    public string? OrderColumnName { get; set; }

    /// <summary>How the windows that cover a step make its score; <see cref="WindowScoreAggregation.LastWindow"/> (online) by default.</summary>
    public WindowScoreAggregation ScoreAggregation { get; set; } = Defaults.ScoreAggregation;

    /// <summary>
    /// Steps of the series' own recent scores a step's <c>Score</c> is measured against; 0 turns the baseline off, and the
    /// <c>Score</c> is the reconstruction error of the window ending at the step. With a baseline (the default, 8,640 steps),
    /// the <c>Score</c> is the mean of the last <see cref="ScoreSmoothingSteps"/> window errors, minus the median of such means
    /// over the last <see cref="ScoreBaselineSteps"/> steps of the series, over their robust spread: about how many standard
    /// deviations the series' error stands above its recent level. A series whose error rises for good (drift, a new normal
    /// the training did not see) stops being flagged once the new level is its history, while a burst on that level stands
    /// out. The threshold and <c>Probability</c> are fitted on the training steps' relative scores. Until a series has 100
    /// scored steps, the training's median and spread stand in. A gap (or a series forgotten by an online scorer) starts the
    /// history again. An online scorer holds up to twice this many floats per series, and a worker rebuilding a series reads
    /// back <c>WindowSize</c> − 1 + <see cref="ScoreSmoothingSteps"/> − 1 + this many of its records. At least 100, or 0.
    /// </summary>
    public int ScoreBaselineSteps { get; set; } = Defaults.ScoreBaselineSteps;

    /// <summary>Window scores averaged into each step's score under a baseline (<see cref="ScoreBaselineSteps"/>); 1 averages nothing.</summary>
    public int ScoreSmoothingSteps { get; set; } = Defaults.ScoreSmoothingSteps;

    /// <summary>What a missing value (NaN or ±∞) in a series does; <see cref="MissingValueHandling.Error"/> by default.</summary>
    public MissingValueHandling MissingValues { get; set; } = Defaults.MissingValues;

    /// <summary>The column of the window a window model reads: the vector of <see cref="WindowSize"/> × channels values.</summary>
    internal const string WindowColumnName = "Window";

    /// <inheritdoc />
    protected override NetworkSpec CreateSpec(int inputDimension, int trainingRows) => new SequenceAutoencoderSpec
    {
        WindowSize = WindowSize,
        Channels = Math.Max(1, inputDimension / Math.Max(1, WindowSize)),
        Architecture = Architecture,
        Cell = Cell,
    };

    /// <inheritdoc />
    protected override (int[] HiddenLayers, int LatentDimension) ResolveArchitecture(int inputDimension) =>
        Defaults.SequenceArchitectureFor(Architecture, inputDimension, HiddenLayers, LatentDimension);

    /// <inheritdoc />
    protected override int PlaceholderInputDimension => Math.Clamp(WindowSize, 1, Rules.MaxWidth);

    /// <inheritdoc />
    protected override void ValidateTraining(Rules rules)
    {
        base.ValidateTraining(rules);
        rules.Range(nameof(WindowSize), WindowSize, 2, SequenceAutoencoderSpec.MaxWindowSize);
        rules.Range(nameof(TrainingStride), TrainingStride, 1, SequenceAutoencoderSpec.MaxWindowSize);
        rules.Defined(nameof(ScoreAggregation), ScoreAggregation);
        rules.Defined(nameof(MissingValues), MissingValues);
        rules.Require(ScoreBaselineSteps == 0 || ScoreBaselineSteps is >= Series.ScoreBaseline.MinimumHistory and <= Series.ScoreBaseline.MaxSteps, nameof(ScoreBaselineSteps),
            $"ScoreBaselineSteps must be 0 (no baseline: the score is the raw reconstruction error) or in [{Series.ScoreBaseline.MinimumHistory}, {Series.ScoreBaseline.MaxSteps}]; got {ScoreBaselineSteps}.");
        rules.Range(nameof(ScoreSmoothingSteps), ScoreSmoothingSteps, 1, Series.ScoreBaseline.MaxSmoothing);
        if (ChannelColumnNames is { } channels)
        {
            rules.Require(channels.Length > 0, nameof(ChannelColumnNames), "ChannelColumnNames lists no column; name at least one Single column, or set it to null to read FeatureColumnName.");
            for (int i = 0; i < channels.Length; i++) rules.ColumnName($"{nameof(ChannelColumnNames)}[{i}]", channels[i]);
            rules.Require(channels.Distinct(StringComparer.Ordinal).Count() == channels.Length, nameof(ChannelColumnNames), $"ChannelColumnNames names a column twice ({string.Join(", ", channels)}); name each channel once.");
        }
        if (SeriesColumnName is not null) rules.ColumnName(nameof(SeriesColumnName), SeriesColumnName);
        if (OrderColumnName is not null) rules.ColumnName(nameof(OrderColumnName), OrderColumnName);
        rules.Require(SeriesColumnName is null || SeriesColumnName != OrderColumnName, nameof(OrderColumnName), $"SeriesColumnName and OrderColumnName both name '{OrderColumnName}'; the order column orders the rows of each series, so name another column.");
    }

    internal override AutoencoderOptionsBase Copy()
    {
        var copy = (SequenceAutoencoderOptions)base.Copy();
        copy.ChannelColumnNames = ChannelColumnNames?.ToArray();
        return copy;
    }
}
