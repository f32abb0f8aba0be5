using static TorchSharp.torch;

namespace AnomalyAE.Networks;

/// <summary>Median and interquartile range: a location and scale that a few extreme (anomalous) values barely move.</summary>
internal static class RobustScale
{
    /// <summary>The IQR falls back to the standard deviation, then 1, when the values are (nearly) constant.</summary>
    public static (float Center, float Scale) Of(Tensor values)
    {
        using var scope = NewDisposeScope();
        var flat = values.flatten().to_type(ScalarType.Float32);
        using var q = tensor(new[] { 0.25f, 0.5f, 0.75f });
        var quantiles = flat.quantile(q).data<float>().ToArray();
        float iqr = quantiles[2] - quantiles[0];
        if (iqr > 1e-12f) return (quantiles[1], iqr);
        float std = flat.std(unbiased: false).item<float>();
        return (quantiles[1], std > 1e-12f ? std : 1f);
    }
}
