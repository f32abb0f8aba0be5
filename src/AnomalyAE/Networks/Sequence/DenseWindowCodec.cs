using TorchSharp.Modules;
using static TorchSharp.torch;

namespace AnomalyAE.Networks;

/// <summary>Dense layers over the flattened window, as the tabular autoencoder's (batch normalization and dropout as the spec says).</summary>
internal sealed class DenseWindowCodec : WindowCodec
{
    private readonly Sequential encoder;
    private readonly Sequential decoder;

    public DenseWindowCodec(SequenceAutoencoderSpec spec, Generator generator) : base(nameof(DenseWindowCodec))
    {
        encoder = Layers.Dense(spec.EncoderWidths, spec, generator, AutoencoderActivation.Identity);
        decoder = Layers.Dense(spec.DecoderWidths, spec, generator, AutoencoderActivation.Identity);
        RegisterComponents();
    }

    public override Tensor Encode(Tensor windows) => encoder.call(windows);
    public override Tensor Decode(Tensor code) => decoder.call(code);
    public override string EmitEncode(OnnxGraph g, string windows) => g.Sequence(encoder, windows);
    public override string EmitDecode(OnnxGraph g, string code) => g.Sequence(decoder, code);
}
