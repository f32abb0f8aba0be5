namespace AnomalyAE.Networks;

/// <summary>Spec of a dense autoencoder: undercomplete, sparse (<see cref="Sparsity"/>) or denoising (<see cref="Noise"/>).</summary>
[NetworkKind("autoencoder")]
public sealed record AutoencoderSpec : NetworkSpec
{
    /// <summary>See <see cref="AutoencoderOptions.LatentActivation"/>.</summary>
    public required AutoencoderActivation LatentActivation { get; init; }
    /// <summary>See <see cref="AutoencoderOptions.Sparsity"/>.</summary>
    public required SparsityPenalty Sparsity { get; init; }
    /// <summary>See <see cref="AutoencoderOptions.SparsityWeight"/>.</summary>
    public required double SparsityWeight { get; init; }
    /// <summary>See <see cref="AutoencoderOptions.SparsityTarget"/>.</summary>
    public required double SparsityTarget { get; init; }
    /// <summary>See <see cref="AutoencoderOptions.Noise"/>.</summary>
    public required InputNoise Noise { get; init; }
    /// <summary>See <see cref="AutoencoderOptions.NoiseLevel"/>.</summary>
    public required double NoiseLevel { get; init; }
    /// <summary>See <see cref="AutoencoderOptions.ErrorMetric"/>.</summary>
    public required ReconstructionErrorMetric ErrorMetric { get; init; }
    /// <summary>See <see cref="AutoencoderOptions.ScoreKind"/>. Not required: files saved before it existed score by reconstruction error.</summary>
    public AutoencoderScoreKind ScoreKind { get; init; }
    /// <summary>Training rows whose codes are kept for the latent neighbour distance (0 for reconstruction error alone).</summary>
    public int ReferenceRows { get; init; }

    /// <inheritdoc />
    public override AutoencoderNetwork CreateNetwork(int seed) => new DenseAutoencoder(this, seed);

    /// <inheritdoc />
    public override bool NeedsUnitInterval => base.NeedsUnitInterval || ErrorMetric == ReconstructionErrorMetric.BinaryCrossEntropy;

    /// <inheritdoc />
    public override bool ScoreIsMeanSquaredError => ErrorMetric == ReconstructionErrorMetric.MeanSquaredError && ScoreKind == AutoencoderScoreKind.ReconstructionError;

    /// <inheritdoc />
    public override void Validate(Rules rules)
    {
        base.Validate(rules);
        rules.Defined(nameof(LatentActivation), LatentActivation);
        rules.Defined(nameof(Sparsity), Sparsity);
        rules.Defined(nameof(Noise), Noise);
        rules.Defined(nameof(ErrorMetric), ErrorMetric);
        rules.Defined(nameof(ScoreKind), ScoreKind);
        rules.Range(nameof(SparsityWeight), SparsityWeight, 0, 1e6);
        rules.Range(nameof(SparsityTarget), SparsityTarget, 0, 1, lowerInclusive: false, upperInclusive: false);
        if (Noise == InputNoise.Masking) rules.Range(nameof(NoiseLevel), NoiseLevel, 0, 1, upperInclusive: false);
        else rules.Range(nameof(NoiseLevel), NoiseLevel, 0, 1e6);
        rules.Require(Sparsity != SparsityPenalty.KullbackLeibler || LatentActivation == AutoencoderActivation.Sigmoid, nameof(LatentActivation),
            "Sparsity KullbackLeibler compares each latent unit's mean activation with SparsityTarget, so the latent layer " +
            $"must output rates in (0, 1); got LatentActivation {LatentActivation}. Set LatentActivation = AutoencoderActivation.Sigmoid, or use Sparsity L1.");
        if (ScoreKind == AutoencoderScoreKind.ReconstructionError) rules.Range(nameof(ReferenceRows), ReferenceRows, 0, LatentNeighbors.MaxReferenceRows);
        else rules.Range(nameof(ReferenceRows), ReferenceRows, 1, LatentNeighbors.MaxReferenceRows);
    }

    /// <inheritdoc />
    public override (double Min, double Max) WeightValues()
    {
        var (min, max) = DenseBounds();
        double neighbours = ScoreKind == AutoencoderScoreKind.ReconstructionError ? 0 : (double)ReferenceRows * LatentDimension + 2.0 * LatentDimension + 4;
        return (min + neighbours, max + neighbours);
    }

    /// <inheritdoc />
    public override long PassValuesPerRow() =>
        ScoreKind == AutoencoderScoreKind.ReconstructionError ? base.PassValuesPerRow() : base.PassValuesPerRow() + 2L * ReferenceRows;
}
