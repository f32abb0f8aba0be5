using TorchSharp;
using static TorchSharp.torch;

namespace AnomalyAE.Networks;

/// <summary>The activations, as libtorch calls and as ONNX nodes: the one table of what each <see cref="AutoencoderActivation"/> computes.</summary>
public static class Activations
{
    /// <summary>The slope of <see cref="AutoencoderActivation.LeakyReLU"/> below zero (PyTorch's default).</summary>
    public const double LeakyReluSlope = 0.01;

    // The scalar arguments of the activations: constants, never disposed (see ExplicitScalars).
    private static readonly Scalar LeakySlope = LeakyReluSlope.ToScalar();
    private static readonly Scalar EluOne = 1.0.ToScalar();

    /// <summary>The activation applied to <paramref name="x"/> (a new tensor).</summary>
    public static Tensor Apply(AutoencoderActivation activation, Tensor x) => activation switch
    {
        AutoencoderActivation.Identity => x.alias(),
        AutoencoderActivation.ReLU => nn.functional.relu(x),
        AutoencoderActivation.LeakyReLU => x.leaky_relu(LeakySlope),
        AutoencoderActivation.Tanh => x.tanh(),
        AutoencoderActivation.Sigmoid => x.sigmoid(),
        AutoencoderActivation.ELU => x.elu(EluOne, EluOne, EluOne),
        AutoencoderActivation.GELU => nn.functional.gelu(x),
        _ => throw new ArgumentOutOfRangeException(nameof(activation), activation, "Unknown activation."),
    };

    /// <summary>
    /// The activation applied to <paramref name="x"/> in place where libtorch has an in-place form (x is returned), for
    /// scoring paths that own <paramref name="x"/>; otherwise into a new tensor.
    /// </summary>
    public static Tensor ApplyInPlace(AutoencoderActivation activation, Tensor x) => activation switch
    {
        AutoencoderActivation.Identity => x,
        AutoencoderActivation.ReLU => x.relu_(),
        AutoencoderActivation.LeakyReLU => x.leaky_relu_(LeakySlope),
        AutoencoderActivation.Tanh => x.tanh_(),
        AutoencoderActivation.Sigmoid => x.sigmoid_(),
        AutoencoderActivation.ELU => x.elu_(EluOne, EluOne, EluOne),
        _ => Apply(activation, x),
    };

    /// <summary>The activation as ONNX nodes.</summary>
    public static string Emit(OnnxGraph g, AutoencoderActivation activation, string x) => activation switch
    {
        AutoencoderActivation.Identity => x,
        AutoencoderActivation.ReLU => g.Unary("Relu", x),
        AutoencoderActivation.LeakyReLU => g.Node("LeakyRelu", [x], OnnxAttribute.Float("alpha", (float)LeakyReluSlope)),
        AutoencoderActivation.Tanh => g.Unary("Tanh", x),
        AutoencoderActivation.Sigmoid => g.Unary("Sigmoid", x),
        AutoencoderActivation.ELU => g.Node("Elu", [x], OnnxAttribute.Float("alpha", 1f)),
        // torch's exact GELU, x · Φ(x) = 0.5 · x · (1 + erf(x / √2)); opset 12 has no Gelu operator.
        AutoencoderActivation.GELU => g.Mul(g.Mul(x, g.Scalar(0.5f)), g.Add(g.Scalar(1f), g.Unary("Erf", g.Mul(x, g.Scalar((float)(1 / Math.Sqrt(2))))))),
        _ => throw new NotSupportedException($"ONNX export does not support the activation {activation}."),
    };
}
