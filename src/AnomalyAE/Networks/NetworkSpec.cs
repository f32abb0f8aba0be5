using System.Text.Json.Serialization;

namespace AnomalyAE.Networks;

/// <summary>
/// Everything needed to rebuild a network's architecture and its loss and score: the options that
/// define the model, as opposed to how it is trained. Persisted next to the weights.
/// </summary>
/// <remarks>
/// The one registry of network variants: the <see cref="JsonDerivedTypeAttribute"/> list names each spec in model files,
/// <see cref="For"/> derives a spec from the options, each spec builds its network (<see cref="CreateNetwork"/>) and states
/// the facts the shared fitting code needs (<see cref="NeedsUnitInterval"/>, <see cref="ScoreIsMeanSquaredError"/>).
/// A new variant adds a record here, its options, and its network class.
/// </remarks>
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

    /// <summary>True when the loss or the score needs features in [0, 1] (cross-entropy): the fit checks the data's range.</summary>
    [JsonIgnore] public abstract bool NeedsUnitInterval { get; }

    /// <summary>True when the score is the per-row mean squared reconstruction error: the fit compares it with the features' variance.</summary>
    [JsonIgnore] public abstract bool ScoreIsMeanSquaredError { get; }

    /// <summary>
    /// The spec <paramref name="options"/> describe for <paramref name="inputDimension"/> features and
    /// <paramref name="trainingRows"/> rows; widths the options leave null are chosen from the data.
    /// </summary>
    public static NetworkSpec For(AutoencoderOptionsBase options, int inputDimension, int trainingRows)
    {
        var (hiddenLayers, latentDimension) = DefaultArchitecture.Resolve(inputDimension, options.HiddenLayers, options.LatentDimension);
        NetworkSpec Variant() => options switch
        {
            AutoencoderOptions o => new AutoencoderSpec
            {
                LatentActivation = o.LatentActivation,
                Sparsity = o.Sparsity,
                SparsityWeight = o.SparsityWeight,
                SparsityTarget = o.SparsityTarget,
                Noise = o.Noise,
                NoiseLevel = o.NoiseLevel,
                ErrorMetric = o.ErrorMetric,
                ScoreKind = o.ScoreKind,
                ReferenceRows = o.ScoreKind == AutoencoderScoreKind.ReconstructionError ? 0 : Math.Min(trainingRows, LatentNeighbors.MaxReferenceRows),
            },
            VariationalAutoencoderOptions o => new VariationalAutoencoderSpec
            {
                Beta = o.Beta,
                KlWarmupEpochs = o.KlWarmupEpochs,
                ScoreKind = o.ScoreKind,
                ScoreSamples = o.ScoreSamples,
            },
            _ => throw new NotSupportedException($"No network is registered for {options.GetType().Name}."),
        };
        // The shared architecture; an ensemble repeats its members'.
        NetworkSpec WithArchitecture(NetworkSpec spec) => spec with
        {
            InputDimension = inputDimension,
            HiddenLayers = [.. hiddenLayers],
            LatentDimension = latentDimension,
            Activation = options.Activation,
            OutputActivation = options.OutputActivation,
            DropoutRate = options.DropoutRate,
            BatchNormalization = options.BatchNormalization,
            Loss = options.Loss,
        };
        var single = WithArchitecture(Variant());
        return options is AutoencoderOptions { EnsembleSize: > 1 } ensemble
            ? WithArchitecture(new AutoencoderEnsembleSpec { Member = (AutoencoderSpec)single, Size = ensemble.EnsembleSize })
            : single;
    }
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

    public override bool NeedsUnitInterval => Loss == ReconstructionLoss.BinaryCrossEntropy || ErrorMetric == ReconstructionErrorMetric.BinaryCrossEntropy;

    public override bool ScoreIsMeanSquaredError => ErrorMetric == ReconstructionErrorMetric.MeanSquaredError && ScoreKind == AutoencoderScoreKind.ReconstructionError;
}

/// <summary>Spec of a variational autoencoder.</summary>
internal sealed record VariationalAutoencoderSpec : NetworkSpec
{
    public required double Beta { get; init; }
    public required int KlWarmupEpochs { get; init; }
    public required VariationalScoreKind ScoreKind { get; init; }
    public required int ScoreSamples { get; init; }

    public override AutoencoderNetwork CreateNetwork(int seed) => new VariationalAutoencoder(this, seed);

    public override bool NeedsUnitInterval => Loss == ReconstructionLoss.BinaryCrossEntropy;

    public override bool ScoreIsMeanSquaredError => ScoreKind == VariationalScoreKind.ReconstructionError && Loss == ReconstructionLoss.MeanSquaredError;
}

/// <summary>
/// Spec of an ensemble of <see cref="Size"/> dense autoencoders of the same architecture (<see cref="Member"/>), each
/// trained on its own random subsample of the rows. The shared architecture fields repeat the member's.
/// </summary>
internal sealed record AutoencoderEnsembleSpec : NetworkSpec
{
    public required AutoencoderSpec Member { get; init; }
    public required int Size { get; init; }

    public override AutoencoderNetwork CreateNetwork(int seed) => new AutoencoderEnsemble(this, seed);

    public override bool NeedsUnitInterval => Member.NeedsUnitInterval;

    /// <summary>False: the score averages the members' standardized errors.</summary>
    public override bool ScoreIsMeanSquaredError => false;
}
