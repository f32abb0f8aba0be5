namespace AnomalyAE.Networks;

/// <summary>Spec of a variational autoencoder.</summary>
[NetworkKind("variational-autoencoder")]
public sealed record VariationalAutoencoderSpec : NetworkSpec
{
    /// <summary>See <see cref="VariationalAutoencoderOptions.Beta"/>.</summary>
    public required double Beta { get; init; }
    /// <summary>See <see cref="VariationalAutoencoderOptions.KlWarmupEpochs"/>.</summary>
    public required int KlWarmupEpochs { get; init; }
    /// <summary>See <see cref="VariationalAutoencoderOptions.ScoreKind"/>.</summary>
    public required VariationalScoreKind ScoreKind { get; init; }
    /// <summary>See <see cref="VariationalAutoencoderOptions.ScoreSamples"/>.</summary>
    public required int ScoreSamples { get; init; }

    /// <summary>Most Monte-Carlo draws per row.</summary>
    public const int MaxScoreSamples = 10_000;

    /// <inheritdoc />
    public override AutoencoderNetwork CreateNetwork(int seed) => new VariationalAutoencoder(this, seed);

    /// <inheritdoc />
    public override bool ScoreIsMeanSquaredError => ScoreKind == VariationalScoreKind.ReconstructionError && Loss == ReconstructionLoss.MeanSquaredError;

    /// <inheritdoc />
    public override void Validate(Rules rules)
    {
        base.Validate(rules);
        rules.Range(nameof(Beta), Beta, 0, 1e6);
        rules.Range(nameof(KlWarmupEpochs), KlWarmupEpochs, 0, 1_000_000);
        rules.Defined(nameof(ScoreKind), ScoreKind);
        rules.Range(nameof(ScoreSamples), ScoreSamples, 1, MaxScoreSamples);
    }

    /// <summary>The encoder's hidden stack, two heads (μ, log σ²), the decoder, and the fixed Monte-Carlo draws.</summary>
    public override (double Min, double Max) WeightValues()
    {
        int[] hidden = [InputDimension, .. HiddenLayers];
        double min = DenseValues(hidden) + 2 * ((double)hidden[^1] + 1) * LatentDimension + DenseValues(DecoderWidths) + (double)ScoreSamples * LatentDimension;
        return (min, min + DenseExtra(hidden) + DenseExtra(DecoderWidths));
    }

    /// <inheritdoc />
    public override long PassValuesPerRow() =>
        ScoreKind == VariationalScoreKind.ReconstructionProbability ? (base.PassValuesPerRow() - 1) * (ScoreSamples + 1) + 1 : base.PassValuesPerRow();
}
