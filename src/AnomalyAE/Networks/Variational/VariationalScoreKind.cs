namespace AnomalyAE;

/// <summary>How a variational autoencoder scores a row. Every kind is deterministic: repeated scoring of a row gives the same score.</summary>
public enum VariationalScoreKind
{
    /// <summary>Reconstruction error (mean over features of the loss) of the decoded posterior mean μ.</summary>
    ReconstructionError,
    /// <summary>Negative ELBO evaluated at z = μ: summed reconstruction loss plus KL(q(z|x) ‖ N(0, I)).</summary>
    NegativeElbo,
    /// <summary>
    /// Negative Monte-Carlo reconstruction probability (An &amp; Cho, 2015): the summed reconstruction loss averaged over
    /// <see cref="VariationalAutoencoderOptions.ScoreSamples"/> draws z = μ + σ·ε. The ε draws are fixed when the model is
    /// created (from its seed) and saved with it, so scores do not change between calls.
    /// </summary>
    ReconstructionProbability,
}
