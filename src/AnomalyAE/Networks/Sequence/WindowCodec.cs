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

    /// <summary><see cref="Encode"/> as ONNX nodes reading <paramref name="windows"/> [N, W·C].</summary>
    public abstract string EmitEncode(OnnxGraph g, string windows);

    /// <summary><see cref="Decode"/> as ONNX nodes reading <paramref name="code"/> [N, k].</summary>
    public abstract string EmitDecode(OnnxGraph g, string code);
}
