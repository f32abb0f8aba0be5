using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace AnomalyAE.Networks;

/// <summary>Reconstruction losses and per-row errors, computed from the decoder's pre-activation output.</summary>
internal static class ReconstructionTerms
{
    private const double Epsilon = 1e-7;

    /// <summary>The decoder's output after the output activation.</summary>
    public static Tensor Output(Tensor logits, AutoencoderActivation outputActivation) => Layers.Apply(outputActivation, logits);

    /// <summary>Element-wise loss, shape [B, d]; BCE goes through logits for numerical stability.</summary>
    public static Tensor ElementLoss(ReconstructionLoss loss, Tensor logits, Tensor target, AutoencoderActivation outputActivation) => loss switch
    {
        ReconstructionLoss.MeanSquaredError => (Output(logits, outputActivation) - target).Squared(),
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
        // Unscaled here; DenseAutoencoder divides by its fitted ResidualScale.
        ReconstructionErrorMetric.StandardizedSquaredError => (Output(logits, outputActivation) - target).Squared(),
        ReconstructionErrorMetric.MeanAbsoluteError => (Output(logits, outputActivation) - target).abs(),
        ReconstructionErrorMetric.BinaryCrossEntropy => BinaryCrossEntropy(logits, target, outputActivation),
        _ => throw new ArgumentOutOfRangeException(nameof(metric), metric, null),
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
}
