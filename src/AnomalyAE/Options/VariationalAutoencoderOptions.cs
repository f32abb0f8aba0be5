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

/// <summary>
/// Options for <see cref="VariationalAutoencoderEstimator"/>. The training loss per row is the reconstruction loss
/// summed over features (as in Kingma &amp; Welling and the seed article) plus <see cref="Beta"/>·KL(q(z|x) ‖ N(0, I)),
/// averaged over the rows of a batch; the reported losses are that quantity.
/// </summary>
public sealed class VariationalAutoencoderOptions : AutoencoderOptionsBase
{
    /// <summary>Weight of the KL term (β-VAE); 1 is the standard VAE.</summary>
    public double Beta { get; set; } = Defaults.Beta;

    /// <summary>Epochs over which β rises linearly from 0 to <see cref="Beta"/> (KL annealing); 0 uses β from the start.</summary>
    public int KlWarmupEpochs { get; set; }

    /// <summary>What the <c>Score</c> column holds.</summary>
    public VariationalScoreKind ScoreKind { get; set; } = Defaults.VariationalScoreKind;

    /// <summary>Monte-Carlo draws per row for <see cref="VariationalScoreKind.ReconstructionProbability"/>.</summary>
    public int ScoreSamples { get; set; } = Defaults.ScoreSamples;

    /// <summary>Output column for the posterior log-variance log σ²; null (default) to not emit it.</summary>
    public string? LatentLogVarianceColumnName { get; set; }

    internal override void Validate() => OptionsValidation.Validate(this);
}
