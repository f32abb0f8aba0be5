using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace AnomalyAE.Networks;

/// <summary>
/// Reconstruction losses, per-row errors and per-feature shares, computed from the decoder's pre-activation output
/// (logits), as libtorch calls for training and scoring and as ONNX nodes for export.
/// </summary>
public static class ReconstructionTerms
{
    private const double Epsilon = 1e-7;

    /// <summary>The decoder's output after the output activation (<paramref name="logits"/> itself for the identity).</summary>
    public static Tensor Output(Tensor logits, AutoencoderActivation outputActivation) =>
        outputActivation == AutoencoderActivation.Identity ? logits : Activations.Apply(outputActivation, logits);

    /// <summary>Element-wise loss, shape [B, d]; squared error as one fused kernel, BCE through logits for numerical stability.</summary>
    public static Tensor ElementLoss(ReconstructionLoss loss, Tensor logits, Tensor target, AutoencoderActivation outputActivation) => loss switch
    {
        ReconstructionLoss.MeanSquaredError => F.mse_loss(Output(logits, outputActivation), target, nn.Reduction.None),
        ReconstructionLoss.BinaryCrossEntropy => BinaryCrossEntropy(logits, target, outputActivation),
        _ => throw new ArgumentOutOfRangeException(nameof(loss), loss, null),
    };

    /// <summary>Per-row anomaly score, shape [B]: the mean of <see cref="ElementError"/> over features.</summary>
    public static Tensor RowError(ReconstructionErrorMetric metric, Tensor logits, Tensor target, AutoencoderActivation outputActivation)
    {
        using var elements = ElementError(metric, logits, target, outputActivation);
        return elements.mean([1]);
    }

    /// <summary>Element-wise error of the score metric, shape [B, d].</summary>
    public static Tensor ElementError(ReconstructionErrorMetric metric, Tensor logits, Tensor target, AutoencoderActivation outputActivation) => metric switch
    {
        ReconstructionErrorMetric.MeanSquaredError => (Output(logits, outputActivation) - target).Squared(),
        ReconstructionErrorMetric.MeanAbsoluteError => (Output(logits, outputActivation) - target).abs(),
        ReconstructionErrorMetric.BinaryCrossEntropy => BinaryCrossEntropy(logits, target, outputActivation),
        _ => throw new ArgumentOutOfRangeException(nameof(metric), metric, null),
    };

    /// <summary>
    /// <see cref="ElementError"/> computed in place of <paramref name="logits"/> where the metric allows (squared and absolute
    /// error after an identity or in-place output activation), for scoring that needs neither the logits nor the
    /// reconstruction afterwards: fewer tensors per batch.
    /// </summary>
    public static Tensor ElementErrorInPlace(ReconstructionErrorMetric metric, Tensor logits, Tensor target, AutoencoderActivation outputActivation) => metric switch
    {
        ReconstructionErrorMetric.MeanSquaredError when outputActivation != AutoencoderActivation.GELU =>
            Activations.ApplyInPlace(outputActivation, logits).sub_(target).pow_(ExplicitScalars.Two),
        ReconstructionErrorMetric.MeanAbsoluteError when outputActivation != AutoencoderActivation.GELU =>
            Activations.ApplyInPlace(outputActivation, logits).sub_(target).abs_(),
        _ => ElementError(metric, logits, target, outputActivation),
    };

    /// <summary>
    /// Each feature's share of its row's error, shape [B, d]: element error / the row's summed error, so every row's shares
    /// lie in [0, 1] and sum to 1. A row reconstructed exactly (summed error 0) gets equal shares 1/d.
    /// </summary>
    public static Tensor Shares(Tensor elements)
    {
        using var scope = NewDisposeScope();
        using var zero = 0.0.ToScalar();
        using var uniform = (1.0 / elements.shape[1]).ToScalar();
        var nonNegative = elements.clamp_min(zero);   // element losses are ≥ 0; clamp rounding below 0
        var total = nonNegative.sum([1], keepdim: true);
        var positive = total.gt(zero);
        var shares = where(positive, nonNegative / where(positive, total, ones_like(total)), full_like(nonNegative, uniform));
        return shares.MoveToOuterDisposeScope();
    }

    private static Tensor BinaryCrossEntropy(Tensor logits, Tensor target, AutoencoderActivation outputActivation)
    {
        if (outputActivation == AutoencoderActivation.Sigmoid)
            return F.binary_cross_entropy_with_logits(logits, target, reduction: nn.Reduction.None);
        using var p = Output(logits, outputActivation).ClampedTo(Epsilon, 1 - Epsilon);
        return F.binary_cross_entropy(p, target, reduction: nn.Reduction.None);
    }

    // ---- the same terms as ONNX nodes ----

    /// <summary><see cref="Output"/> as nodes.</summary>
    public static string EmitOutput(OnnxGraph g, string logits, AutoencoderActivation outputActivation) => g.Activation(outputActivation, logits);

    /// <summary><see cref="ElementLoss"/> as nodes.</summary>
    public static string EmitElementLoss(OnnxGraph g, ReconstructionLoss loss, string logits, string target, AutoencoderActivation outputActivation) => loss switch
    {
        ReconstructionLoss.MeanSquaredError => g.Square(g.Sub(EmitOutput(g, logits, outputActivation), target)),
        ReconstructionLoss.BinaryCrossEntropy => EmitBinaryCrossEntropy(g, logits, target, outputActivation),
        _ => throw new NotSupportedException($"ONNX export does not support the loss {loss}."),
    };

    /// <summary><see cref="ElementError"/> as nodes.</summary>
    public static string EmitElementError(OnnxGraph g, ReconstructionErrorMetric metric, string logits, string target, AutoencoderActivation outputActivation) => metric switch
    {
        ReconstructionErrorMetric.MeanSquaredError => g.Square(g.Sub(EmitOutput(g, logits, outputActivation), target)),
        ReconstructionErrorMetric.MeanAbsoluteError => g.Unary("Abs", g.Sub(EmitOutput(g, logits, outputActivation), target)),
        ReconstructionErrorMetric.BinaryCrossEntropy => EmitBinaryCrossEntropy(g, logits, target, outputActivation),
        _ => throw new NotSupportedException($"ONNX export does not support the error metric {metric}."),
    };

    /// <summary><see cref="Shares"/> as nodes, for rows of <paramref name="features"/> features.</summary>
    public static string EmitShares(OnnxGraph g, string elements, int features)
    {
        var nonNegative = g.Unary("Relu", elements);
        var total = g.Reduce("ReduceSum", nonNegative, 1, keepDims: true);
        var positive = g.Node("Greater", [total, g.Scalar(0f)]);
        var safeTotal = g.Node("Where", [positive, total, g.Scalar(1f)]);
        return g.Node("Where", [positive, g.Div(nonNegative, safeTotal), g.Scalar(1f / features)]);
    }

    private static string EmitBinaryCrossEntropy(OnnxGraph g, string logits, string target, AutoencoderActivation outputActivation)
    {
        if (outputActivation == AutoencoderActivation.Sigmoid)
        {
            // With logits l: max(l, 0) − l·t + log(1 + exp(−|l|)).
            var softplus = g.Unary("Log", g.Add(g.Scalar(1f), g.Unary("Exp", g.Unary("Neg", g.Unary("Abs", logits)))));
            return g.Add(g.Sub(g.Unary("Relu", logits), g.Mul(logits, target)), softplus);
        }
        var p = g.Clip(EmitOutput(g, logits, outputActivation), (float)Epsilon, (float)(1 - Epsilon));
        var one = g.Scalar(1f);
        var positive = g.Mul(target, g.Unary("Log", p));
        var negative = g.Mul(g.Sub(one, target), g.Unary("Log", g.Sub(one, p)));
        return g.Unary("Neg", g.Add(positive, negative));
    }
}
