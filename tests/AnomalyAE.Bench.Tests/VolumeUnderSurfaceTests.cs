using AnomalyAE.TimeSeries.Evaluation.Metrics;

namespace AnomalyAE.Bench.Tests;

/// <summary>VUS-PR on cases small enough to follow from the definition (see <see cref="VolumeUnderSurface"/>).</summary>
public class VolumeUnderSurfaceTests
{
    private static bool[] Labels(int rows, params int[] anomalous)
    {
        var labels = new bool[rows];
        foreach (var i in anomalous) labels[i] = true;
        return labels;
    }

    [Fact]
    public void ScoresEqualToTheLabelsGiveOneWithoutBuffer()
    {
        var labels = Labels(20, 5, 6, 7, 15);
        Assert.Equal(1.0, VolumeUnderSurface.VusPr(labels.Select(l => l ? 1.0 : 0).ToArray(), labels, 0), 12);
    }

    [Fact]
    public void ConstantScoreGivesTheAnomalyShareWithoutBuffer()
    {
        // One threshold flags every row: TPR = 1 · 1, precision = P/n.
        var labels = Labels(20, 5, 6, 7, 15);
        Assert.Equal(4 / 20.0, VolumeUnderSurface.VusPr(new double[20], labels, 0), 12);
    }

    [Fact]
    public void ExistenceFactorHalvesTheCreditOfFindingOneOfTwoRanges()
    {
        // Ranges 2–3 and 12–13; the score finds the first only. Threshold 1: recall 2/4, existence 1/2, TPR 0.25,
        // precision 1; threshold 0: TPR 1, precision 4/20. Area 0.25 + 0.75 · 0.2 = 0.4 (average precision: 0.6).
        var labels = Labels(20, 2, 3, 12, 13);
        var scores = Labels(20, 2, 3).Select(l => l ? 1.0 : 0).ToArray();
        Assert.Equal(0.4, VolumeUnderSurface.VusPr(scores, labels, 0), 12);
        Assert.Equal(0.6, RankMetrics.AveragePrecision(scores, labels), 12);
    }

    [Fact]
    public void BufferRewardsScoresThatRiseAroundTheAnomaly()
    {
        // One anomalous row (5) of 10; scores 1 on it, 0.5 on its neighbours. ℓ = 0 and ℓ = 1 (⌊1/2⌋ = 0, no buffer): 1.
        // ℓ = 2: rows 4 and 6 get √(1 − 1/2); P₂ = (1 + 1 + √2)/2. Threshold 1: TPR 1/P₂ = 2 − √2, precision 1;
        // threshold 0.5: TPR 1, precision (1 + √2)/3, so the area is 2 − √2 + (√2 − 1)(√2 + 1)/3 = 2 − √2 + 1/3.
        var labels = Labels(10, 5);
        var scores = new double[10];
        scores[5] = 1; scores[4] = scores[6] = 0.5;
        double atTwo = 2 - Math.Sqrt(2) + 1 / 3.0;
        Assert.Equal(1.0, VolumeUnderSurface.VusPr(scores, labels, 1), 12);
        Assert.Equal((1 + 1 + atTwo) / 3, VolumeUnderSurface.VusPr(scores, labels, 2), 12);
    }

    [Fact]
    public void BufferedLabelsFollowTheSquareRootRamp()
    {
        var label = VolumeUnderSurface.BufferedLabels([new(5, 6)], 12, 4);
        Assert.Equal([0, 0, 0, Math.Sqrt(0.5), Math.Sqrt(0.75), 1, 1, Math.Sqrt(0.75), Math.Sqrt(0.5), 0, 0, 0], label);
    }
}
