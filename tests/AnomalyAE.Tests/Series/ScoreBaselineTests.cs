using AnomalyAE.Series;

namespace AnomalyAE.Tests.Series;

/// <summary>Scores relative to the series' recent scores: drift absorbed, bursts kept, and a score that depends on a bounded history only.</summary>
public sealed class ScoreBaselineTests
{
    private static ScoreBaselineSettings Settings(int steps = 500, int smoothing = 10) => new()
    {
        Steps = steps, Smoothing = smoothing, StartCentre = 1, StartSpread = 0.1f, Threshold = 4,
    };

    /// <summary>Window scores around 1 with noise of spread 0.1; from <paramref name="shiftAt"/> on around 3 (a drift); a burst of +2 at <paramref name="burstAt"/>.</summary>
    private static float[] Scores(int count, int shiftAt, int burstAt, int seed = 1)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, count).Select(t => (float)((t >= shiftAt ? 3 : 1) + 0.1 * (random.NextDouble() - 0.5) * 3.46 + (t >= burstAt && t < burstAt + 20 ? 2 : 0)))];
    }

    [Fact]
    public void ADriftIsAbsorbedOnceItIsTheHistoryWhileABurstOnTheNewLevelStandsOut()
    {
        var raw = Scores(3000, shiftAt: 1000, burstAt: 2500);
        var baseline = new ScoreBaseline(Settings());
        var relative = raw.Select((s, t) => baseline.Relative(0, s, runStarts: t == 0)).ToArray();

        Assert.InRange(relative[50], -3, 3);                   // the training's start: 1 ± 0.1
        Assert.True(relative[1015] > 10, $"just after the drift {relative[1015]:F1}");
        Assert.InRange(relative[1800], -3, 3);                  // 800 steps on, the new level is the history (500 steps)
        Assert.True(relative[2515] > 10, $"the burst {relative[2515]:F1}");
        Assert.True(relative[1800..2490].Max() < relative[2505..2520].Min(), "every step of the burst ranks above the steps on the new level before it");
    }

    [Fact]
    public void AScoreDependsOnTheLastHistoryDepthStepsOfTheRunOnly()
    {
        // What a worker does after a restart: it rebuilds a series from its last HistoryDepth steps and scores on.
        const int window = 8;
        var settings = Settings(steps: 300, smoothing: 7);
        int depth = settings.HistoryDepth(window), windowsBefore = depth - (window - 1);
        var raw = Scores(2000, shiftAt: 900, burstAt: 1500, seed: 2);
        var whole = new ScoreBaseline(settings);
        var expected = raw.Select((s, t) => whole.Relative(0, s, runStarts: t == 0)).ToArray();

        foreach (int resumeAt in new[] { 1000, 1500, 1999 })
        {
            var rebuilt = new ScoreBaseline(settings);
            int from = resumeAt - windowsBefore; // the windows the last `depth` steps hold
            for (int t = from; t < resumeAt; t++) rebuilt.Relative(3, raw[t], runStarts: t == from);
            for (int t = resumeAt; t < raw.Length; t++) Assert.Equal(expected[t], rebuilt.Relative(3, raw[t], runStarts: false));
        }

        // Half as many is not enough: the scores differ.
        var short_ = new ScoreBaseline(settings);
        int start = 1000 - windowsBefore / 2;
        for (int t = start; t < 1000; t++) short_.Relative(0, raw[t], runStarts: t == start);
        Assert.Contains(Enumerable.Range(1000, 1000), t => short_.Relative(0, raw[t], runStarts: false) != expected[t]);
    }

    [Fact]
    public void ARunThatStartsForgetsItsHistoryAndSeriesKeepTheirOwn()
    {
        var raw = Scores(1200, shiftAt: 0, burstAt: int.MaxValue); // around 3: far above the training's start (1)
        var baseline = new ScoreBaseline(Settings());
        var first = raw.Select((s, t) => baseline.Relative(0, s, runStarts: t == 0)).ToArray();
        Assert.True(first[50] > 10, "before 100 steps the training's start applies");
        Assert.InRange(first[1100], -3, 3);
        // Another series interleaved with it has its own history; a restart of series 0 starts from the training's again.
        Assert.True(baseline.Relative(1, 3, runStarts: false) > 10);
        Assert.True(baseline.Relative(0, 3, runStarts: true) > 10);
        Assert.True(float.IsNaN(baseline.Relative(0, float.NaN, runStarts: false)));
    }

    [Fact]
    public void TheStartIsTheMedianAndANormalConsistentSpread()
    {
        var random = new Random(4);
        var normal = Enumerable.Range(0, 20_000).Select(_ => (float)(5 + 2 * Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()))).ToArray();
        var (centre, spread) = ScoreBaseline.Of(normal);
        Assert.Equal(5, centre, 0.1);
        Assert.Equal(2, spread, 0.1);
        var (flatCentre, flatSpread) = ScoreBaseline.Of([.. Enumerable.Repeat(0.5f, 100)]);
        Assert.Equal(0.5f, flatCentre);
        Assert.True(flatSpread > 0);
    }
}
