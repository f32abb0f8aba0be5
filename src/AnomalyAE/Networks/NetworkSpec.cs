using System.Text.Json.Serialization;

namespace AnomalyAE.Networks;

/// <summary>
/// Everything needed to rebuild a network's architecture, its loss and its score: the options that define the model, as
/// opposed to how it is trained. It is saved in the model file as JSON, under the name its kind is registered with
/// (<see cref="NetworkKinds"/>). A file names its kind, so only a registered kind can be loaded.
/// </summary>
/// <remarks>
/// A network kind derives a record from this one and adds its own settings. It builds its network
/// (<see cref="CreateNetwork"/>) and states its rules once (<see cref="Validate"/>). The same rules check the options in
/// code and every value read from a model file. Its facts bound a file before anything is allocated
/// (<see cref="WeightValues"/>) and bound the memory of a forward pass (<see cref="PassValuesPerRow"/>).
/// </remarks>
public abstract record NetworkSpec
{
    /// <summary>Features per row.</summary>
    public int InputDimension { get; init; }
    /// <summary>Encoder widths between input and code; the decoder mirrors them.</summary>
    public int[] HiddenLayers { get; init; } = [];
    /// <summary>Size of the code.</summary>
    public int LatentDimension { get; init; }
    /// <summary>Activation after every hidden layer.</summary>
    public AutoencoderActivation Activation { get; init; }
    /// <summary>Activation of the decoder's last layer.</summary>
    public AutoencoderActivation OutputActivation { get; init; }
    /// <summary>Dropout probability after every hidden layer during training.</summary>
    public double DropoutRate { get; init; }
    /// <summary>Batch normalization after every hidden layer.</summary>
    public bool BatchNormalization { get; init; }
    /// <summary>Reconstruction loss minimized during training.</summary>
    public ReconstructionLoss Loss { get; init; }

    /// <summary>Encoder widths from input to latent code.</summary>
    [JsonIgnore] public int[] EncoderWidths => [InputDimension, .. HiddenLayers, LatentDimension];

    /// <summary>Decoder widths from latent code to input.</summary>
    [JsonIgnore] public int[] DecoderWidths => [LatentDimension, .. HiddenLayers.Reverse(), InputDimension];

    /// <summary>A network of this architecture with freshly initialized weights, its randomness drawn from <paramref name="seed"/>.</summary>
    public abstract AutoencoderNetwork CreateNetwork(int seed);

    /// <summary>True when the loss or the score needs features in [0, 1] (cross-entropy): the fit checks the data's range.</summary>
    [JsonIgnore] public virtual bool NeedsUnitInterval => Loss == ReconstructionLoss.BinaryCrossEntropy;

    /// <summary>True when the score is the per-row mean squared reconstruction error: the fit compares it with the features' variance.</summary>
    [JsonIgnore] public virtual bool ScoreIsMeanSquaredError => false;

    /// <summary>
    /// Checks every setting against the kind's rules: ranges, enumeration values, cross-rules. Options are checked by
    /// this same method (with placeholder widths for those the data will decide), so a kind states its rules once.
    /// An override calls the base first.
    /// </summary>
    public virtual void Validate(Rules rules)
    {
        ArgumentNullException.ThrowIfNull(rules);
        rules.Range(nameof(InputDimension), InputDimension, 1, Rules.MaxWidth);
        rules.Range(nameof(LatentDimension), LatentDimension, 1, Rules.MaxWidth);
        rules.Require(HiddenLayers is not null && HiddenLayers.Length <= MaxHiddenLayers, nameof(HiddenLayers), $"HiddenLayers must list at most {MaxHiddenLayers} widths.");
        for (int i = 0; i < HiddenLayers!.Length; i++) rules.Range($"{nameof(HiddenLayers)}[{i}]", HiddenLayers[i], 1, Rules.MaxWidth);
        rules.Defined(nameof(Activation), Activation);
        rules.Defined(nameof(OutputActivation), OutputActivation);
        rules.Defined(nameof(Loss), Loss);
        rules.Range(nameof(DropoutRate), DropoutRate, 0, 1, upperInclusive: false);
        rules.Require(Loss != ReconstructionLoss.BinaryCrossEntropy || OutputActivation == AutoencoderActivation.Sigmoid, nameof(OutputActivation),
            "Loss BinaryCrossEntropy needs OutputActivation Sigmoid (reconstructions must be probabilities in (0, 1)); " +
            $"got OutputActivation {OutputActivation}. Set OutputActivation = AutoencoderActivation.Sigmoid, or use Loss MeanSquaredError.");
    }

    /// <summary>Most hidden layers an encoder may have.</summary>
    public const int MaxHiddenLayers = 64;

    /// <summary>
    /// Values (floats) of the network's weights and buffers, at least and at most, from the spec alone, so that a model
    /// file's weights are bounded before anything is allocated (the exact size is checked against a fresh network before
    /// the weights are read). The default allows from nothing up to a dense encoder and decoder of
    /// <see cref="EncoderWidths"/> and <see cref="DecoderWidths"/> with batch normalization (<see cref="DenseBounds"/>); a kind
    /// with other or more weights overrides it.
    /// </summary>
    public virtual (double Min, double Max) WeightValues() => (0, DenseBounds().Max);

    /// <summary>The values of a dense encoder and decoder of this architecture: its linear layers at least, plus batch normalization and tensor headers at most.</summary>
    protected (double Min, double Max) DenseBounds()
    {
        double min = DenseValues(EncoderWidths) + DenseValues(DecoderWidths);
        return (min, min + DenseExtra(EncoderWidths) + DenseExtra(DecoderWidths));
    }

    /// <summary>
    /// A generous count of the values one row puts in flight during a forward pass (activations of every layer, buffers
    /// it is compared with), so that scoring keeps one pass under a fixed memory bound.
    /// </summary>
    public virtual long PassValuesPerRow() => 4 * (EncoderWidths.Sum(w => (long)w) + DecoderWidths.Sum(w => (long)w)) + 1;

    /// <summary>The floats of the linear layers through <paramref name="widths"/> (weights and biases), in doubles: widths are bounded, products are not.</summary>
    protected static double DenseValues(IReadOnlyList<int> widths)
    {
        double sum = 0;
        for (int i = 0; i + 1 < widths.Count; i++) sum += ((double)widths[i] + 1) * widths[i + 1];
        return sum;
    }

    /// <summary>Batch normalization on every layer (weight, bias, running mean and variance, a counter) and 64 bytes of header per tensor, at most.</summary>
    protected static double DenseExtra(IReadOnlyList<int> widths) => 6.0 * widths.Sum(w => (double)w) + 16 * 7 * widths.Count + 16 * 8;
}
