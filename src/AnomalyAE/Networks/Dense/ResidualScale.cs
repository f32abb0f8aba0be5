using TorchSharp;
using static TorchSharp.torch;

namespace AnomalyAE.Networks;

/// <summary>
/// Each feature's robust scale of the reconstruction residuals on the training rows, for
/// <see cref="ReconstructionErrorMetric.StandardizedSquaredError"/>: 1.4826 · median over rows of |x − x̂|, the residual's
/// standard deviation were it normal, floored at <see cref="Floor"/> · the median of the features' scales so that a
/// feature the network reconstructs (almost) exactly does not turn a rounding difference into an alarm. A buffer, filled
/// once after training (<see cref="Fit"/>) and saved with the weights.
/// </summary>
internal sealed class ResidualScale : nn.Module
{
    /// <summary>The smallest scale of a feature, as a share of the median of all features' scales.</summary>
    public const double Floor = 0.05;

    private readonly Tensor scale;

    public ResidualScale(int features) : base(nameof(ResidualScale))
    {
        scale = ones(features);
        RegisterComponents();
    }

    /// <summary>
    /// ((x̂ − x) / scale)², element-wise: shape [B, d]; <paramref name="inPlace"/> overwrites <paramref name="reconstruction"/>
    /// (for a score that needs the reconstruction no more).
    /// </summary>
    public Tensor Squared(Tensor reconstruction, Tensor target, bool inPlace) => inPlace
        ? reconstruction.sub_(target).div_(scale).pow_(ExplicitScalars.Two)
        : ((reconstruction - target) / scale).Squared();

    /// <summary><see cref="Squared"/> as ONNX nodes, the scales a constant.</summary>
    public string EmitSquared(OnnxGraph g, string reconstruction, string target) =>
        g.Square(g.Div(g.Sub(reconstruction, target), g.Constant(scale)));

    /// <summary>Fits the scales from the residuals x − x̂ of the training rows, shape [N, d].</summary>
    public void Fit(Tensor differences)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        using var normal = 1.4826.ToScalar();
        using var floor = Floor.ToScalar();
        using var tiny = 1e-12.ToScalar();
        var mad = differences.abs().kthvalue((differences.shape[0] + 1) / 2, 0).values.mul(normal);   // the (lower) median per feature
        var least = mad.median().mul(floor).clamp_min(tiny);
        scale.copy_(maximum(mad, least));
    }
}
