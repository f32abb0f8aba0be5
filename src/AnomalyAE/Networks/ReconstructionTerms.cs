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
        ReconstructionLoss.MeanSquaredError => (Output(logits, outputActivation) - target).square(),
        ReconstructionLoss.BinaryCrossEntropy => BinaryCrossEntropy(logits, target, outputActivation),
        _ => throw new ArgumentOutOfRangeException(nameof(loss), loss, null),
    };

    /// <summary>Per-row anomaly score, shape [B].</summary>
    public static Tensor RowError(ReconstructionErrorMetric metric, Tensor logits, Tensor target, AutoencoderActivation outputActivation)
    {
        using var elements = metric switch
        {
            ReconstructionErrorMetric.MeanSquaredError => (Output(logits, outputActivation) - target).square(),
            ReconstructionErrorMetric.MeanAbsoluteError => (Output(logits, outputActivation) - target).abs(),
            ReconstructionErrorMetric.BinaryCrossEntropy => BinaryCrossEntropy(logits, target, outputActivation),
            _ => throw new ArgumentOutOfRangeException(nameof(metric), metric, null),
        };
        return elements.mean([1]);
    }

    private static Tensor BinaryCrossEntropy(Tensor logits, Tensor target, AutoencoderActivation outputActivation)
    {
        if (outputActivation == AutoencoderActivation.Sigmoid)
            return F.binary_cross_entropy_with_logits(logits, target, reduction: nn.Reduction.None);
        // Explicit scalars, disposed after the call: implicit ones can be finalized while libtorch still reads them.
        using var low = Epsilon.ToScalar();
        using var high = (1 - Epsilon).ToScalar();
        using var p = Output(logits, outputActivation).clamp(low, high);
        return F.binary_cross_entropy(p, target, reduction: nn.Reduction.None);
    }
}
