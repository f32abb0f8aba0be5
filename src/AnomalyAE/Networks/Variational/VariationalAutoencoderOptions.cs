namespace AnomalyAE;

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

    internal override string? LatentLogVarianceColumn => LatentLogVarianceColumnName;

    /// <inheritdoc />
    protected override Networks.NetworkSpec CreateSpec(int inputDimension, int trainingRows) => new Networks.VariationalAutoencoderSpec
    {
        Beta = Beta,
        KlWarmupEpochs = KlWarmupEpochs,
        ScoreKind = ScoreKind,
        ScoreSamples = ScoreSamples,
    };

    /// <inheritdoc />
    protected override void ValidateTraining(Rules rules)
    {
        base.ValidateTraining(rules);
        rules.Require(EnsembleSize == 1, nameof(EnsembleSize), $"EnsembleSize must be 1 for a variational autoencoder (its transformer decodes and generates with one network); got {EnsembleSize}. Use ml.Autoencoders().Autoencoder for an ensemble.");
    }
}
