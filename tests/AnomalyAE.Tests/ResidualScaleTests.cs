using AnomalyAE.Networks;
using static TorchSharp.torch;

namespace AnomalyAE.Tests;

/// <summary>The per-feature residual scales behind <see cref="ReconstructionErrorMetric.StandardizedSquaredError"/>.</summary>
public class ResidualScaleTests
{
    [Fact]
    public void EachFeatureIsMeasuredInUnitsOfItsRobustResidualScaleWithAFloor()
    {
        using var scope = NewDisposeScope();
        using var residuals = new ResidualScale(3);
        // Feature 0: |residual| median 2; feature 1: median 0.5; feature 2: reconstructed exactly (median 0).
        var differences = tensor(new float[,]
        {
            { 1f, -0.5f, 0f }, { -2f, 0.25f, 0f }, { 2f, 0.5f, 0f }, { -3f, -1f, 0f }, { 4f, 2f, 0f },
        });
        residuals.Fit(differences);

        double[] scales = [1.4826 * 2.0, 1.4826 * 0.5];
        double floor = ResidualScale.Floor * 1.4826 * 0.5;   // 5 % of the (lower) median of the three features' scales
        var squared = residuals.Squared(ones(1, 3), zeros(1, 3), inPlace: false).data<float>().ToArray();
        Assert.Equal(1 / (scales[0] * scales[0]), squared[0], 5);
        Assert.Equal(1 / (scales[1] * scales[1]), squared[1], 5);
        Assert.Equal(1 / (floor * floor), squared[2], 2);

        // The in-place form gives the same numbers.
        var inPlace = residuals.Squared(ones(1, 3), zeros(1, 3), inPlace: true).data<float>().ToArray();
        Assert.Equal(squared, inPlace);
    }

    [Fact]
    public void AnAnomalyInAWellReconstructedFeatureOutranksTheSameDifferenceInANoisyOne()
    {
        // With the plain squared error both rows score alike; standardized, the quiet feature's deviation stands out.
        using var scope = NewDisposeScope();
        using var residuals = new ResidualScale(2);
        var generator = new Random(3);
        var differences = tensor(Enumerable.Range(0, 200).SelectMany(_ => new[] { (float)(generator.NextDouble() - 0.5) * 4, (float)(generator.NextDouble() - 0.5) * 0.2f }).ToArray(), [200, 2]);
        residuals.Fit(differences);
        var rows = tensor(new float[,] { { 1f, 0f }, { 0f, 1f } });
        var scores = residuals.Squared(rows, zeros(2, 2), inPlace: false).mean([1]).data<float>().ToArray();
        Assert.True(scores[1] > 50 * scores[0], $"noisy-feature row {scores[0]:G3}, quiet-feature row {scores[1]:G3}");
    }
}
