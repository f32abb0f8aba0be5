namespace AnomalyAE;

/// <summary>
/// Options for <see cref="AutoencoderEstimator"/>: an undercomplete autoencoder, made sparse by
/// <see cref="Sparsity"/> and denoising by <see cref="Noise"/>.
/// </summary>
public sealed class AutoencoderOptions : AutoencoderOptionsBase
{
    /// <summary>Activation of the encoder's last (latent) layer.</summary>
    public AutoencoderActivation LatentActivation { get; set; } = Defaults.LatentActivation;

    /// <summary>Penalty that makes the latent code sparse.</summary>
    public SparsityPenalty Sparsity { get; set; } = Defaults.Sparsity;

    /// <summary>Weight of the sparsity penalty in the loss.</summary>
    public double SparsityWeight { get; set; } = Defaults.SparsityWeight;

    /// <summary>Target mean activation ρ of each latent unit for <see cref="SparsityPenalty.KullbackLeibler"/>.</summary>
    public double SparsityTarget { get; set; } = Defaults.SparsityTarget;

    /// <summary>Corruption of the inputs during training; the clean input stays the target.</summary>
    public InputNoise Noise { get; set; } = Defaults.Noise;

    /// <summary>Standard deviation (Gaussian) or drop probability (Masking) of the corruption.</summary>
    public double NoiseLevel { get; set; } = Defaults.NoiseLevel;

    /// <summary>
    /// Number of autoencoders trained, each on its own random subsample of the rows (<see cref="SubsampleFraction"/>). With more
    /// than one, the <c>Score</c> is the mean of the members' scores (see <see cref="ScoreKind"/>), each standardized by the
    /// median and interquartile range of its training scores; <c>Reconstruction</c> is the members' mean reconstruction and
    /// <c>LatentFeatures</c> the first member's code. The members together make twice the gradient steps of one network:
    /// with data-scaled epochs 2 × 3,000 / <see cref="EnsembleSize"/> steps each; an explicit
    /// <see cref="AutoencoderOptionsBase.Epochs"/> is read as one network's budget (see <c>Defaults.MemberEpochsFor</c>).
    /// <see cref="AutoencoderOptionsBase.BatchSize"/> applies to each member.
    /// </summary>
    public int EnsembleSize { get; set; } = Defaults.EnsembleSize;

    /// <summary>
    /// Fraction of the rows each ensemble member trains on, drawn without replacement; null (default) uses half the rows
    /// (<see cref="AutoencoderOptionsBase.Defaults.EnsembleSubsampleFraction"/>) when <see cref="EnsembleSize"/> is above 1, all of them otherwise.
    /// </summary>
    public double? SubsampleFraction { get; set; }

    /// <summary>What the <c>Score</c> column measures: reconstruction error, latent neighbour distance, or both.</summary>
    public AutoencoderScoreKind ScoreKind { get; set; } = Defaults.ScoreKind;

    /// <summary>How reconstruction error becomes the anomaly score.</summary>
    public ReconstructionErrorMetric ErrorMetric { get; set; } = Defaults.ErrorMetric;

    internal override void Validate() => OptionsValidation.Validate(this);
}
