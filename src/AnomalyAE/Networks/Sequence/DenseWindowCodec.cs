using TorchSharp.Modules;
using static TorchSharp.torch;

namespace AnomalyAE.Networks;

/// <summary>
/// Dense layers over the flattened window, as the tabular autoencoder's (batch normalization and dropout as the spec says);
/// scores through the stacks' <see cref="FrozenStack"/> forms once prepared, as the tabular autoencoder does.
/// </summary>
internal sealed class DenseWindowCodec : WindowCodec
{
    private readonly Sequential encoder;
    private readonly Sequential decoder;
    // The stacks' scoring forms, once the weights are final (PrepareForScoring); plain fields, not saved.
    private FrozenStack? _scoringEncoder, _scoringDecoder;

    public DenseWindowCodec(SequenceAutoencoderSpec spec, Generator generator) : base(nameof(DenseWindowCodec))
    {
        encoder = Layers.Dense(spec.EncoderWidths, spec, generator, AutoencoderActivation.Identity);
        decoder = Layers.Dense(spec.DecoderWidths, spec, generator, AutoencoderActivation.Identity);
        RegisterComponents();
    }

    public override Tensor Encode(Tensor windows) => encoder.call(windows);
    public override Tensor Decode(Tensor code) => decoder.call(code);

    public override void PrepareForScoring()
    {
        _scoringEncoder ??= FrozenStack.Of(encoder);
        _scoringDecoder ??= FrozenStack.Of(decoder);
    }

    public override Tensor EncodeForScoring(Tensor windows) => _scoringEncoder?.Forward(windows) ?? encoder.call(windows);
    public override Tensor DecodeForScoring(Tensor code) => _scoringDecoder?.Forward(code) ?? decoder.call(code);

    public override string EmitEncode(OnnxGraph g, string windows) => g.Sequence(encoder, windows);
    public override string EmitDecode(OnnxGraph g, string code) => g.Sequence(decoder, code);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _scoringEncoder?.Dispose();
            _scoringDecoder?.Dispose();
        }
        base.Dispose(disposing);
    }
}
