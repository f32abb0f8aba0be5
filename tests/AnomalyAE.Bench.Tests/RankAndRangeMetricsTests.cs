using AnomalyAE.TimeSeries.Evaluation.Metrics;

namespace AnomalyAE.Bench.Tests;

public class RankAndRangeMetricsTests
{
    [Fact]
    public void RocAucAndAveragePrecisionMatchScikitLearnsDocumentedExample()
    {
        // roc_auc_score([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) = 0.75; average_precision_score: 0.8333…
        double[] scores = [0.1, 0.4, 0.35, 0.8];
        bool[] labels = [false, false, true, true];
        Assert.Equal(0.75, RankMetrics.RocAuc(scores, labels), 12);
        Assert.Equal(5 / 6.0, RankMetrics.AveragePrecision(scores, labels), 12);
    }

    [Fact]
    public void PerfectReversedAndConstantScores()
    {
        bool[] labels = [false, true, false, true, false];
        double[] perfect = [0, 1, 0, 1, 0];
        Assert.Equal(1.0, RankMetrics.RocAuc(perfect, labels), 12);
        Assert.Equal(1.0, RankMetrics.AveragePrecision(perfect, labels), 12);
        Assert.Equal(0.0, RankMetrics.RocAuc(perfect.Select(s => -s).ToArray(), labels), 12);
        Assert.Equal(0.5, RankMetrics.RocAuc(new double[5], labels), 12);
        Assert.Equal(0.4, RankMetrics.AveragePrecision(new double[5], labels), 12);
    }

    private static bool[] Rows(int count, params (int Start, int End)[] ranges)
    {
        var flags = new bool[count];
        foreach (var (s, e) in ranges) for (int i = s; i <= e; i++) flags[i] = true;
        return flags;
    }

    [Fact]
    public void RangeBasedHalfOverlapGivesOneHalf()
    {
        var result = RangeMetrics.RangeBased(Rows(40, (15, 24)), Rows(40, (10, 19)));
        Assert.Equal(0.5, result.Precision, 12);
        Assert.Equal(0.5, result.Recall, 12);
        Assert.Equal(0.5, result.F1, 12);
    }

    [Fact]
    public void RangeBasedRecallIsDividedAmongFragmentedDetections()
    {
        // Two predicted ranges cover 4 of the 10 rows of one real range: recall (1/2)·(4/10); each prediction lies inside it.
        var result = RangeMetrics.RangeBased(Rows(40, (10, 11), (14, 15)), Rows(40, (10, 19)));
        Assert.Equal(0.2, result.Recall, 12);
        Assert.Equal(1.0, result.Precision, 12);
    }

    [Fact]
    public void PointAdjustmentCreditsAWholeRangeForOneFlag()
    {
        var labels = Rows(30, (10, 19));
        var oneFlag = Rows(30, (12, 12));
        Assert.Equal(0.1, RangeMetrics.PointWise(oneFlag, labels).Recall, 12);
        var adjusted = RangeMetrics.PointAdjusted(oneFlag, labels);
        Assert.Equal(1.0, adjusted.Recall, 12);
        Assert.Equal(1.0, adjusted.Precision, 12);
    }
}
