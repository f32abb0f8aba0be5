using AnomalyAE.TimeSeries.Evaluation.Data;
using AnomalyAE.TimeSeries.Evaluation.Detectors;

namespace AnomalyAE.Bench.Tests;

public class ThresholdAndWindowTests
{
    [Fact]
    public void RobustZIsInUnitsOfTheTrainingScoresMedianAbsoluteDeviation()
    {
        // Training scores 1…5: median 3, MAD 1, so the default threshold (z = 3) is at 3 + 3 · 1.4826.
        double[] train = [1, 2, 3, 4, 5];
        var z = Thresholds.RobustZ([3, 3 + 3 * 1.4826, 0], train);
        Assert.Equal(0, z[0], 9);
        Assert.Equal(3, z[1], 9);
        Assert.Equal(-3 / 1.4826, z[2], 9);
    }

    [Fact]
    public void ConstantTrainingScoresStillGiveAFiniteScale()
    {
        var z = Thresholds.RobustZ([2, 2.5], [2, 2, 2]);
        Assert.Equal(0, z[0]);
        Assert.True(double.IsFinite(z[1]) && z[1] > Thresholds.DefaultZ);
    }

    [Fact]
    public void WindowIsTheDominantPeriodOrTheFallback()
    {
        var sine = Enumerable.Range(0, 1000).Select(t => Math.Sin(2 * Math.PI * t / 50)).ToArray();
        Assert.Equal(50, WindowLength.Choose(sine));
        var random = new Random(1);
        Assert.Equal(WindowLength.Fallback, WindowLength.Choose(Enumerable.Range(0, 1000).Select(_ => random.NextDouble()).ToArray()));
        Assert.Equal(20, WindowLength.Choose(new double[40])); // at most half the rows
    }
}
