namespace AnomalyAE;

/// <summary>How a row's reconstruction error is turned into its anomaly score.</summary>
public enum ReconstructionErrorMetric
{
    /// <summary>Mean over features of the squared difference.</summary>
    MeanSquaredError,
    /// <summary>Mean over features of the absolute difference.</summary>
    MeanAbsoluteError,
    /// <summary>Mean over features of the binary cross-entropy; features must be in [0, 1].</summary>
    BinaryCrossEntropy,
    /// <summary>
    /// Mean over features of the squared difference divided by that feature's squared residual scale on the training rows
    /// (1.4826 · median |x − x̂|): every feature's error in units of how well the network reconstructs it, so a feature it
    /// models closely alarms at a smaller difference than one it barely models. The scales are fitted after training and
    /// saved with the model.
    /// </summary>
    StandardizedSquaredError,
}

/// <summary>Sparsity penalty on the latent code (sparse autoencoder).</summary>
public enum SparsityPenalty
{
    /// <summary>No penalty.</summary>
    None,
    /// <summary>L1 norm of the latent activations (an activity regularizer).</summary>
    L1,
    /// <summary>KL divergence between a target activation rate and each latent unit's mean activation; needs a sigmoid latent layer.</summary>
    KullbackLeibler,
}

/// <summary>Corruption applied to inputs during training (denoising autoencoder).</summary>
public enum InputNoise
{
    /// <summary>No corruption.</summary>
    None,
    /// <summary>Adds N(0, level²) noise to every feature.</summary>
    Gaussian,
    /// <summary>Sets each feature to zero with probability level.</summary>
    Masking,
}

/// <summary>What an <see cref="AutoencoderEstimator"/>'s <c>Score</c> column measures. Every kind is deterministic.</summary>
public enum AutoencoderScoreKind
{
    /// <summary>Reconstruction error (see <see cref="AutoencoderOptions.ErrorMetric"/>).</summary>
    ReconstructionError,
    /// <summary>
    /// Distance, in the latent space standardized per unit, to the 5th nearest latent code of up to 2,048 training rows kept
    /// with the model (a row kept as a reference counts itself among its neighbours).
    /// </summary>
    LatentNeighborDistance,
    /// <summary>
    /// The larger of the reconstruction error and the latent neighbour distance, each standardized by the median and
    /// interquartile range of its training values: rows far from the others in the latent space score high even when the
    /// network has learned to reconstruct them (which it does with anomalies seen in training), and rows the network
    /// cannot reconstruct score high even when their codes fall among normal ones (which unseen anomalies' codes do).
    /// </summary>
    ReconstructionAndNeighborDistance,
}
