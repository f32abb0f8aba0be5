using System.Numerics;
using AnomalyAE.TimeSeries.Evaluation.Detectors;

namespace AnomalyAE.Bench.Tests;

public class SpectralResidualTests
{
    [Fact]
    public void FindsASpikeOnANoisySine()
    {
        var random = new Random(7);
        var series = Enumerable.Range(0, 1000).Select(t => Math.Sin(2 * Math.PI * t / 50) + 0.05 * (random.NextDouble() - 0.5)).ToArray();
        series[800] += 3;
        var scores = SpectralResidual.Online(series[..600], series[600..]);
        int top = Array.IndexOf(scores, scores.Max());
        Assert.Equal(200, top);
        var others = scores.Where((_, i) => Math.Abs(i - 200) > 2).ToArray();
        Assert.True(scores[200] > 3 * others.Max(), $"spike {scores[200]:F2}, largest elsewhere {others.Max():F2}");
    }

    [Fact]
    public void ScoresUseNoLaterValues()
    {
        var series = Enumerable.Range(0, 700).Select(t => Math.Sin(t / 7.0)).ToArray();
        var full = SpectralResidual.Online(series[..100], series[100..]);
        var prefix = SpectralResidual.Online(series[..100], series[100..400]);
        Assert.Equal(prefix, full[..300]);
    }

    [Fact]
    public void ConstantSeriesScoresZero() => Assert.All(SpectralResidual.Online([], Enumerable.Repeat(2.0, 50).ToArray()), s => Assert.Equal(0, s, 6));

    [Fact]
    public void RadixTwoTransformMatchesTheDirectSumAndInverts()
    {
        var random = new Random(3);
        var x = Enumerable.Range(0, 16).Select(_ => new Complex(random.NextDouble(), random.NextDouble())).ToArray();
        var fast = (Complex[])x.Clone();
        Fourier.Transform(fast);
        for (int k = 0; k < 16; k++)
        {
            var sum = Complex.Zero;
            for (int t = 0; t < 16; t++) sum += x[t] * Complex.FromPolarCoordinates(1, -2 * Math.PI * k * t / 16);
            Assert.Equal(0, (fast[k] - sum).Magnitude, 9);
        }
        Fourier.Transform(fast, inverse: true);
        for (int t = 0; t < 16; t++) Assert.Equal(0, (fast[t] - x[t]).Magnitude, 9);
    }
}
