namespace AnomalyAE.Training;

/// <summary>
/// A generalized Pareto upper tail of the training scores: a share <see cref="Share"/> of them lies above
/// <see cref="Start"/>, and their excesses over it follow GPD(<see cref="Shape"/> ξ, <see cref="Scale"/> σ), so the share of
/// scores above s ≥ Start is Share · (1 + ξ (s − Start) / σ)^(−1/ξ) (Share · exp(−(s − Start) / σ) for ξ = 0).
/// </summary>
internal sealed record GeneralizedParetoTail(double Start, double Share, double Shape, double Scale)
{
    /// <summary>|ξ| below this is taken as 0 (the exponential tail), where the general formulas lose precision.</summary>
    private const double ExponentialShape = 1e-9;

    /// <summary>The share of scores above <paramref name="score"/> (at least <see cref="Start"/>); 0 beyond a bounded tail's end.</summary>
    public double Survival(double score)
    {
        double excess = Math.Max(0, score - Start);
        if (Math.Abs(Shape) < ExponentialShape) return Share * Math.Exp(-excess / Scale);
        double inner = 1 + Shape * excess / Scale;
        return inner <= 0 ? 0 : Share * Math.Pow(inner, -1 / Shape);
    }

    /// <summary>The score above which the tail holds a share <paramref name="probability"/> (below <see cref="Share"/>) of the scores.</summary>
    public double Quantile(double probability)
    {
        double ratio = probability / Share;
        return Math.Abs(Shape) < ExponentialShape
            ? Start - Scale * Math.Log(ratio)
            : Start + Scale / Shape * (Math.Pow(ratio, -Shape) - 1);
    }
}
