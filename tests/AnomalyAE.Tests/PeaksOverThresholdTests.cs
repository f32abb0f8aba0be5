using AnomalyAE.Training;
using Microsoft.ML;

namespace AnomalyAE.Tests;

/// <summary>The peaks-over-threshold rule: the generalized Pareto fit, the threshold at a risk, and the probability that reads the same tail.</summary>
public sealed class PeaksOverThresholdTests
{
    /// <summary>n draws of a GPD(ξ, σ) by inversion.</summary>
    private static double[] Pareto(int n, double shape, double scale, int seed)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, n).Select(_ =>
        {
            double u = 1 - random.NextDouble();
            return shape == 0 ? -scale * Math.Log(u) : scale / shape * (Math.Pow(u, -shape) - 1);
        })];
    }

    [Theory]
    [InlineData(0.0, 1.0)]
    [InlineData(0.3, 2.0)]
    [InlineData(-0.2, 0.5)]
    public void TheMaximumLikelihoodFitRecoversTheShapeAndScale(double shape, double scale)
    {
        var (fittedShape, fittedScale) = PeaksOverThreshold.FitExcesses(Pareto(20_000, shape, scale, seed: 1));
        Assert.Equal(shape, fittedShape, 0.05);
        Assert.Equal(scale, fittedScale, 0.05 * scale);
    }

    [Fact]
    public void TheThresholdIsExceededAtTheRiskAskedFor()
    {
        // Exponential scores: every quantile is known, so is the threshold at risk q (−ln q).
        var scores = Pareto(200_000, 0, 1, seed: 2).Select(s => (float)s).ToArray();
        var tail = PeaksOverThreshold.Fit(ScoreDistribution.Exact((float[])scores.Clone()))!;
        foreach (double risk in new[] { 1e-3, 1e-4, 1e-5 })
            Assert.Equal(-Math.Log(risk), PeaksOverThreshold.Threshold(tail, risk), 0.1 * -Math.Log(risk));
        Assert.Equal(-Math.Log(0.02), tail.Start, 0.05);
        Assert.Equal(0.02, tail.Survival(tail.Start), 6);
    }

    [Fact]
    public void TooFewScoresInTheTailGiveNoFitAndTheEstimatorFallsBackToTheAutomaticRule()
    {
        Assert.Null(PeaksOverThreshold.Fit(ScoreDistribution.Exact([.. Enumerable.Range(0, 100).Select(i => (float)i)])));
        var ml = new MLContext(1);
        var messages = new List<string>();
        ml.Log += (_, e) => messages.Add(e.RawMessage);
        var options = TestOptions.Small(epochs: 2);
        options.ThresholdRule = ThresholdRule.PeaksOverThreshold;
        using var model = ml.Autoencoders().Autoencoder(options).Fit(SyntheticData.Load(ml, SyntheticData.Manifold(200, 10), 10));
        Assert.Contains(messages, m => m.Contains("the automatic rule (median + 3 MAD) sets the threshold instead"));
    }

    [Fact]
    public void TabularModelsTakeThePeaksOverThresholdRuleAndTheProbabilityReadsTheSameTail()
    {
        var ml = new MLContext(1);
        var train = SyntheticData.Load(ml, SyntheticData.Manifold(4000, 10, anomalyFraction: 0), 10);
        var options = TestOptions.Small(epochs: 5);
        options.ThresholdRule = ThresholdRule.PeaksOverThreshold;
        options.ThresholdRisk = 1e-3;
        using var model = ml.Autoencoders().Autoencoder(options).Fit(train);
        var scores = TestOptions.Column<float>(model.Transform(train), "Score");
        double flagged = scores.Count(s => s > model.Threshold) / (double)scores.Length;
        Assert.InRange(flagged, 0, 0.005);   // a risk of 0.1% flags about that share of the training rows
        Assert.True(model.Threshold > scores.Order().ElementAt((int)(0.98 * scores.Length)), "above the tail's start");
        // The probability reaches 1 where the fitted tail holds a millionth of the rows, far above the threshold.
        var calibration = model.Calibration!;
        Assert.True(calibration.Probability(model.Threshold) < 1);
        Assert.Equal(1f, calibration.Probability(calibration.Scores[^1]));

        var bad = TestOptions.Small();
        bad.ThresholdRisk = 0.05;
        var e = Assert.ThrowsAny<ArgumentException>(() => ml.Autoencoders().Autoencoder(bad));
        Assert.Contains("ThresholdRisk must be in (0, 0.02)", e.Message);
    }
}
