namespace AnomalyAE;

/// <summary>The ONNX versions an export writes.</summary>
public static class OnnxExport
{
    /// <summary>The ai.onnx operator set of exported graphs (ML.NET's ConvertToOnnx default; ONNX Runtime 1.8 and later run it).</summary>
    public const int Opset = 12;

    /// <summary>The ai.onnx.ml operator set, used by the ML.NET stages before the autoencoder (normalizers, concatenation).</summary>
    public const int MLOpset = 2;
}
