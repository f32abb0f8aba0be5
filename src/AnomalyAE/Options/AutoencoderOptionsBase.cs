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
    /// A copy the estimator keeps: later changes to the caller's object do not reach it (as options snapshotted by
    /// Microsoft.Extensions.Options). <see cref="Progress"/> is shared, the arrays are copied.
    /// </summary>
    internal AutoencoderOptionsBase Copy()
    {
        var copy = (AutoencoderOptionsBase)MemberwiseClone();
        copy.HiddenLayers = HiddenLayers?.ToArray();
        return copy;
    }

    /// <summary>Throws with a message naming the option, the allowed values and the value given, when an option is out of range.</summary>
    internal abstract void Validate();
}
