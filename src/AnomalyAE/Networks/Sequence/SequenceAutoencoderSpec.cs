using System.Text.Json.Serialization;

namespace AnomalyAE.Networks;

/// <summary>
/// Spec of a sequence autoencoder: a network over windows of <see cref="WindowSize"/> time steps of <see cref="Channels"/>
/// channels, read as one vector of <see cref="NetworkSpec.InputDimension"/> = window × channels values, time-major (the
/// oldest step's channels first). <see cref="NetworkSpec.HiddenLayers"/> are read by the <see cref="Architecture"/>: dense
/// widths, convolution filters, or the recurrent state width.
/// </summary>
[NetworkKind("sequence-autoencoder")]
public sealed record SequenceAutoencoderSpec : NetworkSpec
{
    /// <summary>Longest window a spec may describe.</summary>
    public const int MaxWindowSize = 4096;

    /// <summary>Most convolutions of a <see cref="SequenceArchitecture.Convolutional"/> network.</summary>
    public const int MaxConvolutions = 8;

    /// <summary>Time steps per window.</summary>
    public required int WindowSize { get; init; }

    /// <summary>Values per time step.</summary>
    public required int Channels { get; init; }

    /// <summary>See <see cref="SequenceAutoencoderOptions.Architecture"/>.</summary>
    public required SequenceArchitecture Architecture { get; init; }

    /// <summary>See <see cref="SequenceAutoencoderOptions.Cell"/>; read by <see cref="SequenceArchitecture.Recurrent"/> only.</summary>
    public required RecurrentCell Cell { get; init; }

    /// <summary>True for the mean squared error: the score is the window's mean squared reconstruction error.</summary>
    [JsonIgnore] public override bool ScoreIsMeanSquaredError => Loss == ReconstructionLoss.MeanSquaredError;

    /// <summary>The steps after each convolution of a <see cref="SequenceArchitecture.Convolutional"/> network (each halves them, rounding up), the window's first.</summary>
    [JsonIgnore] public int[] ConvolutionLengths
    {
        get
        {
            var lengths = new int[HiddenLayers.Length + 1];
            lengths[0] = WindowSize;
            for (int i = 1; i < lengths.Length; i++) lengths[i] = (lengths[i - 1] + 1) / 2;
            return lengths;
        }
    }

    /// <summary>The recurrent cell's state width.</summary>
    [JsonIgnore] public int StateWidth => HiddenLayers.Length > 0 ? HiddenLayers[0] : 0;

    /// <summary>Gates of the recurrent cell: 3 for a GRU, 4 for an LSTM.</summary>
    [JsonIgnore] public int Gates => Cell == RecurrentCell.Lstm ? 4 : 3;

    /// <inheritdoc />
    public override AutoencoderNetwork CreateNetwork(int seed) => new SequenceAutoencoder(this, seed);

    /// <inheritdoc />
    public override void Validate(Rules rules)
    {
        base.Validate(rules);
        rules.Range(nameof(WindowSize), WindowSize, 2, MaxWindowSize);
        rules.Range(nameof(Channels), Channels, 1, Rules.MaxWidth);
        rules.Defined(nameof(Architecture), Architecture);
        rules.Defined(nameof(Cell), Cell);
        rules.Require((long)WindowSize * Channels == InputDimension, nameof(WindowSize),
            $"A window of {WindowSize} steps × {Channels} channels has {(long)WindowSize * Channels} values, but the input has {InputDimension}. " +
            "The window column must hold WindowSize × channels values (time-major); set WindowSize to the steps per window.");
        if (Architecture == SequenceArchitecture.Dense) return;
        rules.Require(!BatchNormalization, nameof(BatchNormalization), $"BatchNormalization applies to the Dense architecture only; the {Architecture} architecture has none. Set BatchNormalization = false.");
        rules.Require(DropoutRate == 0, nameof(DropoutRate), $"DropoutRate applies to the Dense architecture only; got {DropoutRate} with the {Architecture} architecture. Set DropoutRate = 0.");
        if (Architecture == SequenceArchitecture.Convolutional)
        {
            rules.Require(HiddenLayers.Length is >= 1 and <= MaxConvolutions, nameof(HiddenLayers),
                $"The Convolutional architecture reads HiddenLayers as the filters of each convolution: 1 to {MaxConvolutions} of them; got {HiddenLayers.Length}.");
            rules.Require((WindowSize >> Math.Min(HiddenLayers.Length, 30)) >= 1, nameof(HiddenLayers),
                $"{HiddenLayers.Length} convolutions halve a window of {WindowSize} steps below 2 steps; use fewer convolutions or a longer window.");
        }
        else
        {
            rules.Require(HiddenLayers.Length == 1, nameof(HiddenLayers),
                $"The Recurrent architecture reads HiddenLayers as the one state width of its cell (e.g. [64]); got {HiddenLayers.Length} widths.");
        }
    }

    /// <summary>The network's weights exactly (plus tensor headers at most).</summary>
    public override (double Min, double Max) WeightValues()
    {
        if (Architecture == SequenceArchitecture.Dense) return DenseBounds();
        double values = Architecture == SequenceArchitecture.Convolutional ? ConvolutionalValues() : RecurrentValues();
        return (values, values + 16.0 * 64);
    }

    /// <inheritdoc />
    public override long PassValuesPerRow() => Architecture switch
    {
        SequenceArchitecture.Convolutional => 6L * InputDimension + 8L * HiddenLayers.Sum(f => (long)f) * WindowSize + 4L * LatentDimension + 1,
        SequenceArchitecture.Recurrent => 6L * InputDimension + 2L * WindowSize * (Gates + 4L) * StateWidth + 4L * LatentDimension + 1,
        _ => base.PassValuesPerRow(),
    };

    private double ConvolutionalValues()
    {
        const double kernel = SequenceAutoencoder.Kernel;
        double values = 0;
        int[] filters = HiddenLayers;
        for (int i = 0; i < filters.Length; i++)
        {
            double inputs = i == 0 ? Channels : filters[i - 1];
            values += 2 * (filters[i] * inputs * kernel) + filters[i] + inputs;   // a convolution down and one up, and their biases
        }
        double flat = (double)filters[^1] * ConvolutionLengths[^1];
        return values + 2 * flat * LatentDimension + LatentDimension + flat;
    }

    private double RecurrentValues()
    {
        double width = StateWidth, gates = Gates;
        double encoder = gates * width * (Channels + width + 2);
        double decoder = gates * width * (LatentDimension + width + 2);
        return encoder + decoder + (width + 1) * LatentDimension + (width + 1) * Channels;
    }
}
