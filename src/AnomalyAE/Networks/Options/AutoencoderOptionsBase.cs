namespace AnomalyAE;

/// <summary>
/// Options shared by <see cref="AutoencoderEstimator"/> and <see cref="VariationalAutoencoderEstimator"/>:
/// the columns, the dense architecture and the training procedure. Every default is a constant (or, for the options
/// left null, a rule) of <see cref="Defaults"/>. The estimator copies and validates the options when it is created.
/// </summary>
public abstract partial class AutoencoderOptionsBase
{
    /// <summary>The input column: a known-size vector of <see cref="float"/>.</summary>
    public string FeatureColumnName { get; set; } = Defaults.FeatureColumnName;

    /// <summary>Output column for the anomaly score (higher = more anomalous); null to not emit it.</summary>
    public string? ScoreColumnName { get; set; } = Defaults.ScoreColumnName;

    /// <summary>Output column for <c>Score &gt; Threshold</c>; null to not emit it.</summary>
    public string? PredictedLabelColumnName { get; set; } = Defaults.PredictedLabelColumnName;

    /// <summary>Output column for the latent code; null to not emit it.</summary>
    public string? LatentFeaturesColumnName { get; set; } = Defaults.LatentFeaturesColumnName;

    /// <summary>Output column for the reconstruction of the features; null to not emit it.</summary>
    public string? ReconstructionColumnName { get; set; } = Defaults.ReconstructionColumnName;

    /// <summary>
    /// Output column for each feature's share of the row's reconstruction error (a vector of Single, one per feature,
    /// carrying the input's slot names); null (default) to not emit it, <see cref="Defaults.FeatureContributionsColumnName"/>
    /// is the usual name. Share of feature j = e_j / Σ_i e_i, where e is the element-wise error of the score's metric
    /// (squared, absolute or cross-entropy error of the reconstruction): every share is in [0, 1] and a row's shares sum
    /// to 1 (a row reconstructed exactly gets 1/d each). For the latent-neighbour score kinds it explains the
    /// reconstruction part of the score. For a variational autoencoder it is the share of the reconstruction term of
    /// the loss, decoded at the posterior mean μ, whatever the score kind (the KL term has no per-feature split). For an
    /// ensemble it is the mean of the members' shares (members weigh equally, as in the score).
    /// </summary>
    public string? FeatureContributionsColumnName { get; set; }

    /// <summary>
    /// Output column for the calibrated anomaly probability (Single in [0, 1], non-decreasing in the score); null to not
    /// emit it. It is fitted on the training scores, without labels, as a local false-discovery rate: the normal rows'
    /// scores are modelled by an exponential upper tail from the median, halving every (upper quartile − median), and the
    /// probability at a score is 1 − (the share of training rows that tail puts near that score) ÷ (the share actually
    /// there), made non-decreasing. It is 0 at or below the upper quartile of the training scores, near 0 in the bulk of
    /// the normal rows, near 1 where scores are far more common than the normal rows explain, and rises to 1 beyond the
    /// largest training score. It is stored as a piecewise-linear map of the score over at most 130 knots, independent of
    /// <see cref="Contamination"/>, and assumes most training rows are normal.
    /// </summary>
    public string? ProbabilityColumnName { get; set; } = Defaults.ProbabilityColumnName;

    /// <summary>
    /// Widths of the encoder's hidden layers, input side first; the decoder mirrors them. Null (default) uses one layer
    /// four times as wide as the default latent code, and at least twice the chosen one (784 features: 128; 30: 64).
    /// </summary>
    public int[]? HiddenLayers { get; set; }

    /// <summary>
    /// Size of the latent code. Null (default) uses the power of two nearest to half the number of features, at most 32
    /// and below the number of features (784 features: 32; 30: 16; 20: 8).
    /// </summary>
    public int? LatentDimension { get; set; }

    /// <summary>Activation after every hidden layer.</summary>
    public AutoencoderActivation Activation { get; set; } = Defaults.Activation;

    /// <summary>Activation of the decoder's last layer: Sigmoid for data in [0, 1], Identity otherwise.</summary>
    public AutoencoderActivation OutputActivation { get; set; } = Defaults.OutputActivation;

    /// <summary>Dropout probability after every hidden layer during training (0 = none).</summary>
    public double DropoutRate { get; set; }

    /// <summary>Batch normalization after every hidden layer.</summary>
    public bool BatchNormalization { get; set; }

    /// <summary>Reconstruction loss minimized during training.</summary>
    public ReconstructionLoss Loss { get; set; } = Defaults.Loss;

    /// <summary>Optimizer.</summary>
    public AutoencoderOptimizer Optimizer { get; set; } = Defaults.Optimizer;

    /// <summary>
    /// Passes over the training rows; null (default) chooses them from the number of rows: enough for about 3,000
    /// gradient steps, between 10 and 500 epochs. The training log names the value used.
    /// </summary>
    public int? Epochs { get; set; }

    /// <summary>
    /// Rows per gradient step; null (default) chooses it from the number of rows: the power of two nearest to rows / 32,
    /// between 16 and 256.
    /// </summary>
    public int? BatchSize { get; set; }

    /// <summary>Optimizer step size.</summary>
    public double LearningRate { get; set; } = Defaults.LearningRate;

    /// <summary>L2 penalty (Adam, SGD) or decoupled weight decay (AdamW).</summary>
    public double WeightDecay { get; set; }

    /// <summary>Fraction of rows held out (after a seeded shuffle) to report validation loss and drive early stopping.</summary>
    public double ValidationFraction { get; set; } = Defaults.ValidationFraction;

    /// <summary>
    /// Stop after this many epochs without improvement of the validation loss (training loss when
    /// <see cref="ValidationFraction"/> is 0) and restore the best weights; 0 disables early stopping.
    /// </summary>
    public int EarlyStoppingPatience { get; set; }

    /// <summary>
    /// Expected fraction of anomalies in the training data, in [0, 0.5]; the threshold is the (1 − contamination) quantile
    /// of the training scores. Null sets the threshold automatically, without a guess: median + k · MAD of the training
    /// scores (k = <see cref="Defaults.AutomaticThresholdDeviations"/>, MAD scaled to a standard deviation), a rule that
    /// the anomalies in the training rows barely move. Use a number when you know the anomaly rate or need a fixed alert
    /// budget; use null when the rate is unknown and the anomalies stand clearly apart from the normal rows' scores.
    /// </summary>
    public double? Contamination { get; set; } = Defaults.Contamination;

    /// <summary>
    /// How the threshold is fitted on the training scores: the <see cref="Contamination"/> quantile (or the automatic rule
    /// when it is null), the automatic rule, or a peaks-over-threshold tail at <see cref="ThresholdRisk"/>
    /// (see <see cref="AnomalyAE.ThresholdRule"/>). <see cref="AnomalyAE.ThresholdRule.Contamination"/> by default
    /// (<see cref="AnomalyAE.ThresholdRule.PeaksOverThreshold"/> for <see cref="SequenceAutoencoderOptions"/>).
    /// </summary>
    public ThresholdRule ThresholdRule { get; set; } = Defaults.ThresholdRule;

    /// <summary>
    /// The risk q of <see cref="AnomalyAE.ThresholdRule.PeaksOverThreshold"/>: the probability, under the tail fitted on the
    /// training scores, that a normal row scores above the threshold; in (0, 0.02). Default
    /// <see cref="Defaults.ThresholdRisk"/>.
    /// </summary>
    public double ThresholdRisk { get; set; } = Defaults.ThresholdRisk;

    /// <summary>
    /// Trains with a trimmed loss: the <see cref="Contamination"/> fraction of each batch's rows that the network reconstructs
    /// worst is left out of the gradient, so anomalies in unlabeled training data are not learned and keep high scores.
    /// With <see cref="Contamination"/> null the trimmed fraction is <see cref="Defaults.Contamination"/>.
    /// </summary>
    public bool RobustTraining { get; set; }

    /// <summary>Seed for weight initialization, shuffling and noise; null draws one from the <c>MLContext</c>'s seed stream.</summary>
    public int? Seed { get; set; }

    /// <summary>libtorch intra-op threads for training and scoring; null uses every core. Same seed and thread count give identical results.</summary>
    public int? NumberOfThreads { get; set; }

    /// <summary>Rows per forward pass when scoring.</summary>
    public int ScoringBatchSize { get; set; } = Defaults.ScoringBatchSize;

    /// <summary>Receives a report after every epoch.</summary>
    public IProgress<TrainingProgress>? Progress { get; set; }

    /// <summary>
    /// Number of networks trained, each on its own random subsample of the rows (<see cref="SubsampleFraction"/>). With more
    /// than one, the <c>Score</c> is the mean of the members' scores, each standardized by the median and interquartile
    /// range of its training scores; <c>Reconstruction</c> is the members' mean reconstruction and <c>LatentFeatures</c> the
    /// first member's code. With data-scaled epochs each member stops early on purpose, after about
    /// <see cref="Defaults.MemberTargetSteps"/> gradient steps (at least one epoch), which keeps the errors of anomalies in
    /// the training rows high; on clean one-class data set <see cref="EnsembleSize"/> to 1 or set <see cref="Epochs"/>. An explicit <see cref="Epochs"/> is read as one network's budget
    /// (see <c>Defaults.MemberEpochsFor</c>). <see cref="BatchSize"/> applies to each member. The default is 1 here and
    /// <see cref="Defaults.EnsembleSize"/> for <see cref="AutoencoderOptions"/>.
    /// </summary>
    public int EnsembleSize { get; set; } = 1;

    /// <summary>
    /// Fraction of the rows each ensemble member trains on, drawn without replacement; null (default) uses half the rows
    /// (<see cref="Defaults.EnsembleSubsampleFraction"/>) when <see cref="EnsembleSize"/> is above 1, all of them otherwise.
    /// </summary>
    public double? SubsampleFraction { get; set; }

    /// <summary>
    /// The spec of this options' network kind with its own settings; the caller fills in the shared architecture
    /// (<see cref="Networks.NetworkSpec.InputDimension"/> and the other base properties) and wraps it in an ensemble when
    /// <see cref="EnsembleSize"/> asks for one. A network kind of your own overrides it (see the README's "A network of
    /// your own").
    /// </summary>
    /// <param name="inputDimension">Features per row.</param>
    /// <param name="trainingRows">Rows the network is fitted on.</param>
    protected abstract Networks.NetworkSpec CreateSpec(int inputDimension, int trainingRows);

    /// <summary>Checks the options that are not part of the spec; a kind with such options of its own overrides it and calls the base.</summary>
    protected virtual void ValidateTraining(Rules rules)
    {
        rules.Require(!string.IsNullOrWhiteSpace(FeatureColumnName), nameof(FeatureColumnName), "FeatureColumnName must name the input column (a known-size vector of Single).");
        rules.Defined(nameof(Optimizer), Optimizer);
        if (Epochs is int epochs) rules.Range(nameof(Epochs), epochs, 1, 1_000_000);
        if (BatchSize is int batchSize) rules.Range(nameof(BatchSize), batchSize, 1, Rules.MaxBatchSize);
        rules.Range(nameof(ScoringBatchSize), ScoringBatchSize, 1, Rules.MaxBatchSize);
        rules.Range(nameof(LearningRate), LearningRate, 0, 10, lowerInclusive: false);
        rules.Range(nameof(WeightDecay), WeightDecay, 0, 10);
        rules.Range(nameof(ValidationFraction), ValidationFraction, 0, 1, upperInclusive: false);
        rules.Range(nameof(EarlyStoppingPatience), EarlyStoppingPatience, 0, 1_000_000);
        if (Contamination is double contamination) rules.Range(nameof(Contamination), contamination, 0, 0.5);
        rules.Defined(nameof(ThresholdRule), ThresholdRule);
        rules.Range(nameof(ThresholdRisk), ThresholdRisk, 0, Training.PeaksOverThreshold.InitialLevelTail, lowerInclusive: false, upperInclusive: false);
        if (NumberOfThreads is int threads) rules.Range(nameof(NumberOfThreads), threads, 1, Rules.MaxThreads);
        if (SubsampleFraction is double fraction) rules.Range(nameof(SubsampleFraction), fraction, 0, 1, lowerInclusive: false);
        rules.Range(nameof(TrainingMemoryBudget), TrainingMemoryBudget, 0, long.MaxValue);
        if (ShuffleBufferSize is int rows) rules.Range(nameof(ShuffleBufferSize), rows, 1, 1 << 28);
    }

    /// <summary>The name of the VAE's log-variance column; null for every other kind.</summary>
    internal virtual string? LatentLogVarianceColumn => null;

    /// <summary>
    /// A copy the estimator keeps: later changes to the caller's object do not reach it (as options snapshotted by
    /// Microsoft.Extensions.Options). <see cref="Progress"/> is shared, the arrays are copied.
    /// </summary>
    internal virtual AutoencoderOptionsBase Copy()
    {
        var copy = (AutoencoderOptionsBase)MemberwiseClone();
        copy.HiddenLayers = HiddenLayers?.ToArray();
        return copy;
    }

    /// <summary>
    /// Throws with a message naming the option, the allowed values and the value given, when an option is out of range:
    /// the training options, then the spec these options describe, by its kind's own rules (with placeholder widths where
    /// the data decides them).
    /// </summary>
    internal void Validate()
    {
        var rules = Rules.ForOptions;
        ValidateTraining(rules);
        ResolveSpec(inputDimension: PlaceholderInputDimension, trainingRows: 1).Validate(rules);
    }

    /// <summary>The features per row the options are checked with before the data is seen: at least the latent dimension.</summary>
    protected virtual int PlaceholderInputDimension => Math.Max(LatentDimension ?? 1, 1);

    /// <summary>
    /// <see cref="HiddenLayers"/> and <see cref="LatentDimension"/> for <paramref name="inputDimension"/> features, the null ones
    /// chosen from the data (by default <see cref="Defaults.HiddenLayersFor"/> and <see cref="Defaults.LatentDimensionFor"/>).
    /// A kind whose layers are not dense widths overrides it.
    /// </summary>
    protected virtual (int[] HiddenLayers, int LatentDimension) ResolveArchitecture(int inputDimension) =>
        Networks.DefaultArchitecture.Resolve(inputDimension, HiddenLayers, LatentDimension);

    /// <summary>
    /// The spec these options describe for <paramref name="inputDimension"/> features and <paramref name="trainingRows"/>
    /// rows: the kind's own settings (<see cref="CreateSpec"/>), the shared architecture with widths left null chosen from
    /// the data, and an ensemble of <see cref="EnsembleSize"/> such networks when it is not 1.
    /// </summary>
    internal Networks.NetworkSpec ResolveSpec(int inputDimension, int trainingRows)
    {
        var (hiddenLayers, latentDimension) = ResolveArchitecture(inputDimension);
        Networks.NetworkSpec WithArchitecture(Networks.NetworkSpec spec) => spec with
        {
            InputDimension = inputDimension,
            HiddenLayers = [.. hiddenLayers],
            LatentDimension = latentDimension,
            Activation = Activation,
            OutputActivation = OutputActivation,
            DropoutRate = DropoutRate,
            BatchNormalization = BatchNormalization,
            Loss = Loss,
        };
        var single = WithArchitecture(CreateSpec(inputDimension, trainingRows));
        return EnsembleSize == 1 ? single : WithArchitecture(new Networks.AutoencoderEnsembleSpec { Member = single, Size = EnsembleSize });
    }

    /// <summary>Share of the rows each trained part (an ensemble member, or the one network) trains on.</summary>
    internal double PartRowFraction(int parts) => parts > 1 ? SubsampleFraction ?? Defaults.EnsembleSubsampleFraction : 1.0;
}
