namespace AnomalyAE.Tabular;

/// <summary>How well a detector's decisions and probabilities match the labels: F1 of a flag, Brier score and expected calibration error.</summary>
internal static class ThresholdMetrics
{
    /// <summary>F1 of <paramref name="flagged"/> against the labels (0 when nothing is flagged or nothing is an anomaly).</summary>
    public static double F1(bool[] flagged, bool[] isAnomaly)
    {
        int truePositives = flagged.Where((f, i) => f && isAnomaly[i]).Count();
        int flags = flagged.Count(f => f), anomalies = isAnomaly.Count(a => a);
        return flags + anomalies == 0 ? 0 : 2.0 * truePositives / (flags + anomalies);
    }

    /// <summary>
    /// The rows a detector flags when told the true contamination c: scores above the (1 − c) quantile of the scores,
    /// linearly interpolated (the library's rule for <c>Contamination = c</c>, here on the same rows it was fitted on).
    /// </summary>
    public static bool[] FlagAtContamination(float[] scores, double contamination)
    {
        var sorted = scores.Order().ToArray();
        double position = (1 - contamination) * (sorted.Length - 1);
        int low = (int)Math.Floor(position), high = Math.Min(low + 1, sorted.Length - 1);
        double threshold = sorted[low] + (sorted[high] - sorted[low]) * (position - low);
        return [.. scores.Select(s => s > threshold)];
    }

    /// <summary>Mean squared difference between the probability and the label (1 = anomaly).</summary>
    public static double Brier(float[] probabilities, bool[] isAnomaly) =>
        probabilities.Select((p, i) => Math.Pow(p - (isAnomaly[i] ? 1 : 0), 2)).Average();

    /// <summary>
    /// The Brier score of the best non-decreasing map of the score fitted on the labels themselves (isotonic regression, an
    /// oracle no unsupervised method can reach): what a perfect calibration of this ranking would score, so a gap to it is the
    /// calibration's and the rest the ranking's.
    /// </summary>
    public static double OracleBrier(float[] scores, bool[] isAnomaly)
    {
        // Pool adjacent violators over the rows in score order (tied scores form one block first).
        var blocks = new List<(double Sum, int Count)>();
        var order = Enumerable.Range(0, scores.Length).OrderBy(i => scores[i]).ToArray();
        for (int k = 0; k < order.Length;)
        {
            int end = k;
            double sum = 0;
            while (end < order.Length && scores[order[end]] == scores[order[k]]) sum += isAnomaly[order[end++]] ? 1 : 0;
            var block = (Sum: sum, Count: end - k);
            while (blocks.Count > 0 && blocks[^1].Sum / blocks[^1].Count > block.Sum / block.Count)
            {
                block = (blocks[^1].Sum + block.Sum, blocks[^1].Count + block.Count);
                blocks.RemoveAt(blocks.Count - 1);
            }
            blocks.Add(block);
            k = end;
        }
        // Within a block of mean p holding Sum anomalies: Sum·(1 − p)² + (Count − Sum)·p².
        return blocks.Sum(b => { double p = b.Sum / b.Count; return b.Sum * (1 - p) * (1 - p) + (b.Count - b.Sum) * p * p; }) / scores.Length;
    }

    /// <summary>
    /// Expected calibration error over <paramref name="bins"/> equal-width probability bins: Σ (rows in bin / rows) ·
    /// |anomaly rate in bin − mean probability in bin|.
    /// </summary>
    public static double ExpectedCalibrationError(float[] probabilities, bool[] isAnomaly, int bins = 10)
    {
        double total = 0;
        foreach (var bin in probabilities.Select((p, i) => (p, a: isAnomaly[i])).GroupBy(r => Math.Min(bins - 1, (int)(r.p * bins))))
            total += bin.Count() / (double)probabilities.Length * Math.Abs(bin.Average(r => r.a ? 1.0 : 0) - bin.Average(r => (double)r.p));
        return total;
    }
}
