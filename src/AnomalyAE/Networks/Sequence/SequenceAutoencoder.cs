using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace AnomalyAE.Networks;

/// <summary>
/// An autoencoder over windows of a time series (<see cref="SequenceAutoencoderSpec"/>): the architecture's encoder and
/// decoder (<see cref="WindowCodec"/>), trained on the window's reconstruction loss. The score is the window's mean
/// reconstruction error (squared, or cross-entropy with that loss) over its steps and channels; the contributions are each
/// value's share of it (a step's channel shares are summed over the window by the sequence transformer).
/// </summary>
internal sealed class SequenceAutoencoder : AutoencoderNetwork
{
    /// <summary>Kernel width of the convolutions.</summary>
    public const int Kernel = 5;

    /// <summary>Padding of the convolutions on each side (the kernel's half).</summary>
    public const int Padding = Kernel / 2;

    private readonly WindowCodec codec;
    private readonly SequenceAutoencoderSpec _spec;

    public SequenceAutoencoder(SequenceAutoencoderSpec spec, int seed) : base(nameof(SequenceAutoencoder), spec, seed)
    {
        _spec = spec;
        codec = spec.Architecture switch
        {
            SequenceArchitecture.Convolutional => new ConvolutionalWindowCodec(spec, Generator),
            SequenceArchitecture.Recurrent => new RecurrentWindowCodec(spec, Generator),
            _ => new DenseWindowCodec(spec, Generator),
        };
        RegisterComponents();
        Layers.InitializeLinearLayers(this, Generator);
    }

    private ReconstructionErrorMetric ErrorMetric => _spec.Loss == ReconstructionLoss.BinaryCrossEntropy
        ? ReconstructionErrorMetric.BinaryCrossEntropy
        : ReconstructionErrorMetric.MeanSquaredError;

    public override ObjectiveTerms Objective(Tensor batch, int epoch, bool training)
    {
        var logits = codec.Decode(codec.Encode(batch));
        return new ObjectiveTerms(ReconstructionTerms.ElementLoss(_spec.Loss, logits, batch, _spec.OutputActivation).mean([1]), null);
    }

    /// <summary>
    /// The codec's scoring forms: the Dense architecture's stacks become <see cref="FrozenStack"/>s, as the tabular
    /// autoencoder's. The convolutional and recurrent codecs keep their modules (nothing to fold: no batch normalization
    /// or dropout, and their time goes to the convolutions and the cell steps, not to the linear layers around them).
    /// </summary>
    public override void PrepareForScoring() => codec.PrepareForScoring();

    public override InferenceOutputs Infer(Tensor batch, NetworkOutputs wanted)
    {
        var latent = codec.EncodeForScoring(batch);
        var logits = codec.DecodeForScoring(latent);
        bool elementwise = wanted.HasFlag(NetworkOutputs.Reconstruction) || wanted.HasFlag(NetworkOutputs.Contributions);
        var elements = elementwise
            ? ReconstructionTerms.ElementError(ErrorMetric, logits, batch, _spec.OutputActivation)
            : ReconstructionTerms.ElementErrorInPlace(ErrorMetric, logits, batch, _spec.OutputActivation);   // the score alone: logits are not needed after
        return new InferenceOutputs(elements.mean([1]),
            Latent: wanted.HasFlag(NetworkOutputs.Latent) ? latent : null,
            Reconstruction: wanted.HasFlag(NetworkOutputs.Reconstruction) ? ReconstructionTerms.Output(logits, _spec.OutputActivation) : null,
            Contributions: wanted.HasFlag(NetworkOutputs.Contributions) ? ReconstructionTerms.Shares(elements) : null);
    }

    public override OnnxOutputs EmitOnnx(OnnxGraph g, string x)
    {
        var latent = codec.EmitEncode(g, x);
        var logits = codec.EmitDecode(g, latent);
        var elements = ReconstructionTerms.EmitElementError(g, ErrorMetric, logits, x, _spec.OutputActivation);
        return new OnnxOutputs(g.Reduce("ReduceMean", elements, 1), latent, ReconstructionTerms.EmitOutput(g, logits, _spec.OutputActivation), null,
            ReconstructionTerms.EmitShares(g, elements, _spec.InputDimension));
    }

    /// <summary>A parameter of <paramref name="shape"/> drawn from U(−<paramref name="bound"/>, <paramref name="bound"/>) with <paramref name="generator"/>.</summary>
    internal static Parameter UniformParameter(long[] shape, double bound, Generator generator)
    {
        var parameter = nn.Parameter(zeros(shape));
        using (no_grad()) Layers.Uniform(parameter, bound, generator);
        return parameter;
    }
}
