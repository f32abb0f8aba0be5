using AnomalyAE.Training;

namespace AnomalyAE.Tests;

/// <summary>The KLL sketch behind the streamed threshold: its documented rank error, merging, exactness on small data.</summary>
public class QuantileSketchTests
{
    private static readonly double[] Levels = [0.01, 0.1, 0.5, 0.9, 0.98, 0.99, 0.999];

    /// <summary>Heavy-tailed, score-like values: |Gaussian|³ with a few huge ones.</summary>
    private static float[] Scores(int count, int seed)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, count).Select(_ => (float)Math.Pow(Math.Abs(SyntheticData.Gaussian(random)), 3))];
    }

    /// <summary>Fraction of <paramref name="sorted"/> at or below <paramref name="value"/>.</summary>
    private static double Rank(float[] sorted, double value) => sorted.Count(s => s <= value) / (double)sorted.Length;

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void QuantilesOfAMillionScoresAreWithinTheDocumentedRankError(int seed)
    {
        var scores = Scores(1_000_000, seed);
        var sketch = new QuantileSketch(QuantileSketch.DefaultK, seed);
        sketch.Add(scores);
        var distribution = sketch.ToDistribution();
        var sorted = scores.Order().ToArray();

        Assert.Equal(scores.Length, distribution.Count);
        Assert.True(sketch.Retained < 4 * QuantileSketch.DefaultK, $"{sketch.Retained} items retained");
        var quantiles = distribution.Quantiles(Levels);
        for (int i = 0; i < Levels.Length; i++)
            Assert.InRange(Rank(sorted, quantiles[i]), Levels[i] - 0.0005, Levels[i] + 0.0005);   // the documented ±0.05 %
        Assert.Equal(sorted[^1], distribution.Max);
    }

    [Fact]
    public void MergedSketchesSummarizeBothStreams()
    {
        var scores = Scores(400_000, 3);
        var first = new QuantileSketch(seed: 1);
        var second = new QuantileSketch(seed: 2);
        first.Add(scores.AsSpan(0, 150_000));
        second.Add(scores.AsSpan(150_000));
        first.Merge(second);
        var sorted = scores.Order().ToArray();

        Assert.Equal(scores.Length, first.Count);
        var quantiles = first.ToDistribution().Quantiles(Levels);
        for (int i = 0; i < Levels.Length; i++)
            Assert.InRange(Rank(sorted, quantiles[i]), Levels[i] - 0.0015, Levels[i] + 0.0015);
    }

    [Fact]
    public void FewerScoresThanKAreKeptWholeAndGiveTheExactThresholds()
    {
        var scores = Scores(3000, 4);
        var sketch = new QuantileSketch(seed: 1);
        sketch.Add(scores);

        Assert.Equal(ScoreQuantile.Threshold(scores, 0.02), ScoreQuantile.Threshold(sketch.ToDistribution(), 0.02));
        Assert.Equal(ScoreQuantile.Automatic(scores, 3), ScoreQuantile.Automatic(sketch.ToDistribution(), 3), 5);
    }

    [Fact]
    public void AutomaticThresholdFromTheSketchIsCloseToTheExactOne()
    {
        var scores = Scores(500_000, 5);
        var sketch = new QuantileSketch(seed: 9);
        sketch.Add(scores);
        double exact = ScoreQuantile.Automatic(scores, 3), sketched = ScoreQuantile.Automatic(sketch.ToDistribution(), 3);
        var sorted = scores.Order().ToArray();

        Assert.InRange(Rank(sorted, sketched), Rank(sorted, exact) - 0.002, Rank(sorted, exact) + 0.002);
    }

    [Fact]
    public void TheSameScoresAndSeedGiveTheSameSketch()
    {
        var scores = Scores(100_000, 6);
        QuantileSketch Sketch() { var s = new QuantileSketch(seed: 3); s.Add(scores); return s; }

        Assert.Equal(Sketch().ToDistribution().Quantiles(Levels), Sketch().ToDistribution().Quantiles(Levels));
    }
}
