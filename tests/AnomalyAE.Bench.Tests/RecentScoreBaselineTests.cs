using AnomalyAE.TimeSeries.Evaluation.Detectors;

namespace AnomalyAE.Bench.Tests;

/// <summary>
/// The bench's scores relative to recent scores: a model whose errors rise for good after its training part (drift) stops
/// flagging the rest once the history holds the new level, while a short burst on top of the new level still stands out;
/// and a row's value reads no later row (online).
/// </summary>
public class RecentScoreBaselineTests
{
    private static double[] Noisy(int count, double level, int seed)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, count).Select(_ => level + 0.1 * (random.NextDouble() - 0.5))];
    }

    [Fact]
    public void DriftIsAbsorbedWhileABurstOnTheNewLevelStandsOut()
    {
        var train = Noisy(750, 1, seed: 1);
        var test = Noisy(20_000, 5, seed: 2);            // every test score far above training: drift
        for (int t = 15_000; t < 15_020; t++) test[t] += 3; // a burst on the new level
        var relative = RecentScoreBaseline.Apply(new DetectorScores(test, train)).Test;

        Assert.True(relative[50] > 20, $"right after the drift the rows still stand out: {relative[50]:F1}");
        double settled = relative[10_000..14_990].Max();
        double burst = relative[15_005..15_020].Min();
        Assert.True(settled < 6, $"the drifted level, once in the history, is ordinary: largest {settled:F2}");
        Assert.True(burst > 10 * settled, $"the burst ({burst:F1}) stands far above the settled level ({settled:F2})");
    }

    [Fact]
    public void ARowsValueReadsNoLaterRow()
    {
        var train = Noisy(750, 1, seed: 3);
        var test = Noisy(3_000, 1, seed: 4);
        var before = RecentScoreBaseline.Apply(new DetectorScores(test, train)).Test;
        var changed = (double[])test.Clone();
        for (int t = 2_000; t < changed.Length; t++) changed[t] = 100;
        var after = RecentScoreBaseline.Apply(new DetectorScores(changed, train)).Test;
        Assert.Equal(before[..2_000], after[..2_000]);
        Assert.NotEqual(before[2_000], after[2_000]);
    }
}
