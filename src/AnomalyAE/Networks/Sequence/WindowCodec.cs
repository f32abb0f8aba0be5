using static TorchSharp.torch;

namespace AnomalyAE.Networks;

/// <summary>
/// The encoder and decoder of a <see cref="SequenceAutoencoder"/>, one per <see cref="SequenceArchitecture"/>: windows
/// (rows of window × channels values, time-major) to codes and codes to the windows' logits, as libtorch calls and as ONNX nodes.
/// </summary>
internal abstract class WindowCodec(string name) : nn.Module(name)
{
    /// <summary>The codes of <paramref name="windows"/> [B, W·C]: [B, k].</summary>
    public abstract Tensor Encode(Tensor windows);

    /// <summary>The reconstructed windows' logits (before the output activation) of <paramref name="code"/> [B, k]: [B, W·C].</summary>
    public abstract Tensor Decode(Tensor code);

    /// <summary>
    /// Called once the weights are final (<see cref="AutoencoderNetwork.PrepareForScoring"/>): a codec may build read-only
    /// scoring forms of its layers here, which <see cref="EncodeForScoring"/> and <see cref="DecodeForScoring"/> then use.
    /// Nothing by default.
    /// </summary>
    public virtual void PrepareForScoring()
    {
    }

    /// <summary><see cref="Encode"/> for scoring (under no_grad): the scoring forms once prepared.</summary>
    public virtual Tensor EncodeForScoring(Tensor windows) => Encode(windows);

    /// <summary><see cref="Decode"/> for scoring (under no_grad): the scoring forms once prepared.</summary>
    public virtual Tensor DecodeForScoring(Tensor code) => Decode(code);

    /// <summary><see cref="Encode"/> as ONNX nodes reading <paramref name="windows"/> [N, W·C].</summary>
    public abstract string EmitEncode(OnnxGraph g, string windows);

    /// <summary><see cref="Decode"/> as ONNX nodes reading <paramref name="code"/> [N, k].</summary>
    public abstract string EmitDecode(OnnxGraph g, string code);
}
