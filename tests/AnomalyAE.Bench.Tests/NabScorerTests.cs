using AnomalyAE.TimeSeries.Evaluation.Data;
using AnomalyAE.TimeSeries.Evaluation.Metrics;

namespace AnomalyAE.Bench.Tests;

/// <summary>
/// The NAB score on hand-made detections. One file of 100 rows: the probationary part is rows 0–14 (⌊0.15·100⌋), one
/// window covers rows 40–49 (width 10). Values worked out by hand from the rules (σ̃(x) = 2/(1 + e^{5x}) − 1):
/// σ̃(−1) = 0.986614298; a detection on the window's last row: σ̃(−0.1)/σ̃(−1) = 0.248241550; on row 44:
/// σ̃(−0.6)/σ̃(−1) = 0.917428680; a false positive on row 60, x = 11/9: σ̃ = −0.995573648; on row 50, x = 1/9: σ̃ = −0.270847119.
/// </summary>
public class NabScorerTests
{
    private const int Rows = 100;
    private static readonly AnomalyRange[] Window = [new(40, 49)];

    private static double Standard(params int[] detections) => NabScorer.Score(Rows, Window, Flags(detections), NabProfile.Standard);

    private static bool[] Flags(params int[] rows)
    {
        var flags = new bool[Rows];
        foreach (var r in rows) flags[r] = true;
        return flags;
    }

    [Fact]
    public void ProbationIsFifteenPercentCappedAt750Rows()
    {
        Assert.Equal(15, NabScorer.ProbationLength(100));
        Assert.Equal(750, NabScorer.ProbationLength(22695));
        Assert.Equal(149, NabScorer.ProbationLength(999));
    }

    [Fact]
    public void DetectionOnTheWindowsFirstRowEarnsTheFullTruePositiveWeight()
    {
        Assert.Equal(1.0, Standard(40), 9);
        Assert.Equal(1.0, Standard(40, 45, 49), 9); // a window counts once, by its earliest detection
        Assert.Equal(100.0, NabScorer.Normalize(Standard(40), NabScorer.NullScore([File()], NabProfile.Standard), 1, NabProfile.Standard), 9);
    }

    [Fact]
    public void LaterDetectionsInTheWindowEarnLess()
    {
        Assert.Equal(0.917428680, Standard(44), 8);
        Assert.Equal(0.248241550, Standard(49), 8);
    }

    [Fact]
    public void MissedWindowCostsTheFalseNegativeWeightPerProfile()
    {
        Assert.Equal(-1.0, Standard(), 9);
        Assert.Equal(-2.0, NabScorer.Score(Rows, Window, Flags(), NabProfile.RewardLowFalseNegatives), 9);
        Assert.Equal(0.0, NabScorer.Normalize(Standard(), -1.0, 1, NabProfile.Standard), 9);
    }

    [Fact]
    public void FalsePositiveBeforeAnyWindowCostsTheFullFalsePositiveWeight()
    {
        Assert.Equal(-1.11, Standard(20), 9);
        Assert.Equal(-1.22, NabScorer.Score(Rows, Window, Flags(20), NabProfile.RewardLowFalsePositives), 9);
        Assert.Equal(-2.11, NabScorer.Score(Rows, Window, Flags(20), NabProfile.RewardLowFalseNegatives), 9);
    }

    [Fact]
    public void FalsePositiveAfterAWindowCostsLessTheCloserItIs()
    {
        Assert.Equal(1 - 0.11 * 0.995573648, Standard(40, 60), 8);
        Assert.Equal(1 - 0.11 * 0.270847119, Standard(40, 50), 8);
        Assert.Equal(1 - 0.11, Standard(40, 99), 9); // x = 50/9 ≥ 3: the full weight
    }

    [Fact]
    public void DetectionsInTheProbationaryPartAreNotScored() => Assert.Equal(-1.0, Standard(3, 14), 9);

    [Fact]
    public void OptimizerFindsTheBestSingleThresholdOverAllFiles()
    {
        // File A: 0.9 on the window's first row, 0.8 a false positive before it, 0.7 one after it.
        // File B: 0.95 a false positive before its window, 0.85 on row 44 of its window.
        // Raw scores by threshold: +∞ −2; 0.95 −2.11; 0.9 −0.11; 0.85 −0.11 + 1.917428680 = 1.807428680 (best); 0.8 1.697…
        var a = new double[Rows]; a[40] = 0.9; a[20] = 0.8; a[60] = 0.7;
        var b = new double[Rows]; b[30] = 0.95; b[44] = 0.85;
        NabScoredFile[] files = [File(a, "a"), File(b, "b")];
        var (threshold, raw) = NabScorer.Optimize(files, NabProfile.Standard);
        Assert.Equal(0.85, threshold);
        Assert.Equal(1.807428680, raw, 8);
        Assert.Equal(raw, NabScorer.Score(files, threshold, NabProfile.Standard), 9);
        double nullScore = NabScorer.NullScore(files, NabProfile.Standard);
        Assert.Equal(-2.0, nullScore, 9);
        Assert.Equal(100 * (1.807428680 + 2) / 4, NabScorer.Normalize(raw, nullScore, 2, NabProfile.Standard), 6);
    }

    [Fact]
    public void OptimizerKeepsNothingDetectedWhenEveryDetectionCosts()
    {
        var scores = new double[Rows]; scores[20] = 1; // only a false positive stands out
        var (threshold, raw) = NabScorer.Optimize([File(scores)], NabProfile.Standard);
        Assert.Equal(double.PositiveInfinity, threshold);
        Assert.Equal(-1.0, raw, 9);
    }

    private static NabScoredFile File(double[]? scores = null, string name = "f") => new(name, Rows, Window, scores ?? new double[Rows]);
}
