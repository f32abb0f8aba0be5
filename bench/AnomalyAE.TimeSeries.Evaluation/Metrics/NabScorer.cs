using AnomalyAE.TimeSeries.Evaluation.Data;

namespace AnomalyAE.TimeSeries.Evaluation.Metrics;

/// <summary>The weights of a NAB application profile (NAB's <c>config/profiles.json</c>).</summary>
public sealed record NabProfile(string Name, double TruePositiveWeight, double FalsePositiveWeight, double FalseNegativeWeight)
{
    public static readonly NabProfile Standard = new("standard", 1.0, 0.11, 1.0);
    public static readonly NabProfile RewardLowFalsePositives = new("reward_low_FP_rate", 1.0, 0.22, 1.0);
    public static readonly NabProfile RewardLowFalseNegatives = new("reward_low_FN_rate", 1.0, 0.11, 2.0);
    public static IReadOnlyList<NabProfile> All { get; } = [Standard, RewardLowFalsePositives, RewardLowFalseNegatives];
}

/// <summary>One file to score: its row count, its windows (rows of the whole file) and the detector's score per row.</summary>
public sealed record NabScoredFile(string Name, int Rows, IReadOnlyList<AnomalyRange> Windows, double[] Scores);

/// <summary>
/// The NAB score (Lavin &amp; Ahmad, "Evaluating Real-time Anomaly Detection Algorithms — the Numenta Anomaly Benchmark",
/// ICMLA 2015; the rules of NAB's scorer at commit ea702d7), written from those rules:
/// <list type="bullet">
/// <item>Rows of the probationary part (the first min(⌊0.15·rows⌋, 750)) are not scored.</item>
/// <item>A row is a detection when its score is ≥ the threshold.</item>
/// <item>A window counts once: −A_FN when nothing in it is detected, otherwise the best (earliest) detection's reward
/// A_TP · σ̃(−(right − i + 1)/width) / σ̃(−1), where σ̃(x) = 2·sigmoid(−5x) − 1: A_TP for a detection on the window's
/// first row, falling towards 0 at its last.</item>
/// <item>Every detection outside a window costs A_FP · σ̃(x): x = 3 (σ̃ = −1) before the file's first window, and
/// x = (i − right)/(width − 1) after a window (|right − i| from the last window that ended), so a false positive just
/// after a window costs little and one far after it the full A_FP (σ̃ = −1 from x ≥ 3 on).</item>
/// <item>The corpus score is the sum over files; it is normalized as 100 · (S − S_null)/(S_perfect − S_null) where
/// S_perfect = A_TP · (number of windows) and S_null is the score of the null detector (nothing detected: −A_FN for each
/// window with a scored row).</item>
/// </list>
/// </summary>
public static class NabScorer
{
    public const double ProbationaryFraction = 0.15;

    /// <summary>NAB's probationary length: min(⌊0.15·rows⌋, 0.15·5000).</summary>
    public static int ProbationLength(int rows) => (int)Math.Min(Math.Floor(ProbationaryFraction * rows), ProbationaryFraction * 5000);

    /// <summary>2·sigmoid(−5x) − 1, and −1 from x ≥ 3 on.</summary>
    public static double ScaledSigmoid(double x) => x >= 3.0 ? -1.0 : 2.0 / (1.0 + Math.Exp(5.0 * x)) - 1.0;

    /// <summary>
    /// Per row of a file: the window it lies in (-1 outside every window, -2 in the probationary part) and the weighted
    /// value its detection would bring (a true positive's reward inside a window, a false positive's cost outside).
    /// </summary>
    public static (int Window, double Value)[] RowValues(int rows, IReadOnlyList<AnomalyRange> windows, NabProfile profile)
    {
        var values = new (int, double)[rows];
        int probation = ProbationLength(rows);
        double maxTruePositive = ScaledSigmoid(-1.0);
        int next = 0, current = -1, previousRight = -1;
        double previousWidth = 0;
        for (int i = 0; i < rows; i++)
        {
            if (current < 0 && next < windows.Count && i == windows[next].Start) current = next++;
            double value;
            if (current >= 0)
            {
                double width = windows[current].Length;
                value = ScaledSigmoid(-(windows[current].End - i + 1) / width) * profile.TruePositiveWeight / maxTruePositive;
            }
            else
                value = (previousRight < 0 ? -1.0 : ScaledSigmoid(Math.Abs(previousRight - i) / (previousWidth - 1))) * profile.FalsePositiveWeight;
            values[i] = (i < probation ? -2 : current, value);
            if (current >= 0 && i == windows[current].End)
            {
                previousRight = i;
                previousWidth = windows[current].Length;
                current = -1;
            }
        }
        return values;
    }

    /// <summary>The raw score of one file when the rows flagged in <paramref name="detected"/> are its detections.</summary>
    public static double Score(int rows, IReadOnlyList<AnomalyRange> windows, bool[] detected, NabProfile profile)
    {
        var values = RowValues(rows, windows, profile);
        var best = new double?[windows.Count];
        double falsePositives = 0;
        var scored = new bool[windows.Count];
        for (int i = 0; i < rows; i++)
        {
            var (window, value) = values[i];
            if (window == -2) continue;
            if (window >= 0) scored[window] = true;
            if (!detected[i]) continue;
            if (window == -1) falsePositives += value;
            else best[window] = Math.Max(best[window] ?? double.NegativeInfinity, value);
        }
        double total = falsePositives;
        for (int w = 0; w < windows.Count; w++)
            if (scored[w]) total += Math.Max(-profile.FalseNegativeWeight, best[w] ?? -profile.FalseNegativeWeight);
        return total;
    }

    /// <summary>The raw corpus score at a threshold: detections are rows whose score is ≥ <paramref name="threshold"/>.</summary>
    public static double Score(IEnumerable<NabScoredFile> files, double threshold, NabProfile profile) =>
        files.Sum(f => Score(f.Rows, f.Windows, f.Scores.Select(s => s >= threshold).ToArray(), profile));

    /// <summary>
    /// NAB's threshold optimizer: the threshold (one for all files) whose raw corpus score is highest, found by sweeping
    /// every distinct score from the highest down (and +∞, nothing detected); ties go to the higher threshold. It reads
    /// the labels, so it serves only the comparison with NAB's published scoreboard, which was made this way.
    /// </summary>
    public static (double Threshold, double RawScore) Optimize(IReadOnlyList<NabScoredFile> files, NabProfile profile)
    {
        var points = new List<(double Score, int Window, double Value)>();
        int windowBase = 0;
        double total = 0;
        var windowPart = new List<double>();
        foreach (var file in files)
        {
            var values = RowValues(file.Rows, file.Windows, profile);
            var scored = new bool[file.Windows.Count];
            for (int i = 0; i < file.Rows; i++)
            {
                var (window, value) = values[i];
                if (window == -2) continue;
                if (window >= 0) scored[window] = true;
                points.Add((file.Scores[i], window < 0 ? -1 : windowBase + window, value));
            }
            for (int w = 0; w < file.Windows.Count; w++)
            {
                windowPart.Add(scored[w] ? -profile.FalseNegativeWeight : 0);
                total += windowPart[^1];
            }
            windowBase += file.Windows.Count;
        }
        points.Sort((a, b) => b.Score.CompareTo(a.Score));
        double bestThreshold = double.PositiveInfinity, bestScore = total;
        for (int k = 0; k < points.Count;)
        {
            double threshold = points[k].Score;
            for (; k < points.Count && points[k].Score == threshold; k++)
            {
                var (_, window, value) = points[k];
                if (window < 0) total += value;
                else if (value > windowPart[window]) { total += value - windowPart[window]; windowPart[window] = value; }
            }
            if (total > bestScore) (bestThreshold, bestScore) = (threshold, total);
        }
        return (bestThreshold, bestScore);
    }

    /// <summary>The null detector's raw score: −A_FN for every window that has a scored row.</summary>
    public static double NullScore(IEnumerable<NabScoredFile> files, NabProfile profile) =>
        files.Sum(f => Score(f.Rows, f.Windows, new bool[f.Rows], profile));

    /// <summary>100 · (raw − null)/(perfect − null), perfect = A_TP · <paramref name="windowCount"/> (every labeled window).</summary>
    public static double Normalize(double rawScore, double nullScore, int windowCount, NabProfile profile) =>
        100 * (rawScore - nullScore) / (profile.TruePositiveWeight * windowCount - nullScore);
}
