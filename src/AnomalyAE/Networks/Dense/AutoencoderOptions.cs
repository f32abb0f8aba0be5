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

    /// <summary>Options with every default; <see cref="AutoencoderOptionsBase.EnsembleSize"/> is <see cref="AutoencoderOptionsBase.Defaults.EnsembleSize"/>.</summary>
    public AutoencoderOptions() => EnsembleSize = Defaults.EnsembleSize;

    /// <summary>What the <c>Score</c> column measures: reconstruction error, latent neighbour distance, or both.</summary>
    public AutoencoderScoreKind ScoreKind { get; set; } = Defaults.ScoreKind;

    /// <summary>How reconstruction error becomes the anomaly score.</summary>
    public ReconstructionErrorMetric ErrorMetric { get; set; } = Defaults.ErrorMetric;

    /// <inheritdoc />
    protected override Networks.NetworkSpec CreateSpec(int inputDimension, int trainingRows) => new Networks.AutoencoderSpec
    {
        LatentActivation = LatentActivation,
        Sparsity = Sparsity,
        SparsityWeight = SparsityWeight,
        SparsityTarget = SparsityTarget,
        Noise = Noise,
        NoiseLevel = NoiseLevel,
        ErrorMetric = ErrorMetric,
        ScoreKind = ScoreKind,
        ReferenceRows = ScoreKind == AutoencoderScoreKind.ReconstructionError ? 0 : Math.Min(trainingRows, Networks.LatentNeighbors.MaxReferenceRows),
    };
}
