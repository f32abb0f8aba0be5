using System.Text.Json.Serialization;

namespace AnomalyAE.Networks;

/// <summary>
/// Everything needed to rebuild a network's architecture and its loss and score: the options that
/// define the model, as opposed to how it is trained. Persisted next to the weights.
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "network")]
[JsonDerivedType(typeof(AutoencoderSpec), "autoencoder")]
[JsonDerivedType(typeof(VariationalAutoencoderSpec), "variational-autoencoder")]
[JsonDerivedType(typeof(AutoencoderEnsembleSpec), "autoencoder-ensemble")]
internal abstract record NetworkSpec
{
    // The architecture shared by every network; set by the estimator base from the common options.
    public int InputDimension { get; init; }
    public int[] HiddenLayers { get; init; } = [];
    public int LatentDimension { get; init; }
    public AutoencoderActivation Activation { get; init; }
    public AutoencoderActivation OutputActivation { get; init; }
    public double DropoutRate { get; init; }
    public bool BatchNormalization { get; init; }
    public ReconstructionLoss Loss { get; init; }

    /// <summary>Encoder widths from input to latent code.</summary>
    [JsonIgnore] public int[] EncoderWidths => [InputDimension, .. HiddenLayers, LatentDimension];

    /// <summary>Decoder widths from latent code to input.</summary>
    [JsonIgnore] public int[] DecoderWidths => [LatentDimension, .. HiddenLayers.Reverse(), InputDimension];

    /// <summary>A network of this architecture with freshly initialized weights.</summary>
    public abstract AutoencoderNetwork CreateNetwork(int seed);
}

/// <summary>Spec of a (sparse, denoising) dense autoencoder.</summary>
internal sealed record AutoencoderSpec : NetworkSpec
{
    public required AutoencoderActivation LatentActivation { get; init; }
    public required SparsityPenalty Sparsity { get; init; }
    public required double SparsityWeight { get; init; }
    public required double SparsityTarget { get; init; }
    public required InputNoise Noise { get; init; }
    public required double NoiseLevel { get; init; }
    public required ReconstructionErrorMetric ErrorMetric { get; init; }
    // Not required: files saved before these existed score by reconstruction error.
    public AutoencoderScoreKind ScoreKind { get; init; }
    /// <summary>Training rows whose codes are kept for the latent neighbour distance (0 for reconstruction error alone).</summary>
    public int ReferenceRows { get; init; }

    public override AutoencoderNetwork CreateNetwork(int seed) => new DenseAutoencoder(this, seed);
}

/// <summary>Spec of a variational autoencoder.</summary>
internal sealed record VariationalAutoencoderSpec : NetworkSpec
{
    public required double Beta { get; init; }
    public required int KlWarmupEpochs { get; init; }
    public required VariationalScoreKind ScoreKind { get; init; }
    public required int ScoreSamples { get; init; }

    public override AutoencoderNetwork CreateNetwork(int seed) => new VariationalAutoencoder(this, seed);
}

/// <summary>
/// Spec of an ensemble of <see cref="Size"/> dense autoencoders of the same architecture (<see cref="Member"/>), each
/// trained on its own random subsample of the rows. The shared architecture fields repeat the member's.
/// </summary>
internal sealed record AutoencoderEnsembleSpec : NetworkSpec
{
    public required AutoencoderSpec Member { get; init; }
    public required int Size { get; init; }

    /// <summary>An ensemble of <paramref name="size"/> networks like <paramref name="member"/>.</summary>
    public static AutoencoderEnsembleSpec Of(AutoencoderSpec member, int size) => new()
    {
        Member = member,
        Size = size,
        InputDimension = member.InputDimension,
        HiddenLayers = member.HiddenLayers,
        LatentDimension = member.LatentDimension,
        Activation = member.Activation,
        OutputActivation = member.OutputActivation,
        DropoutRate = member.DropoutRate,
        BatchNormalization = member.BatchNormalization,
        Loss = member.Loss,
    };

    public override AutoencoderNetwork CreateNetwork(int seed) => new AutoencoderEnsemble(this, seed);
}
