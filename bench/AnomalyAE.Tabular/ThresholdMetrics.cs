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

    /// <summary>The automatic threshold's rule (<c>Contamination = null</c>): median + 3 · 1.4826 · MAD of the scores.</summary>
    public static bool[] FlagByMad(float[] scores, double deviations = 3)
    {
        double median = Quantile(scores.Select(s => (double)s).Order().ToArray(), 0.5);
        double mad = Quantile(scores.Select(s => Math.Abs(s - median)).Order().ToArray(), 0.5);
        double threshold = median + deviations * 1.4826 * mad;
        return [.. scores.Select(s => s > threshold)];
    }

    /// <summary>
    /// Peaks over threshold (Siffer, Fouque, Termier and Largouët, KDD 2017): a generalized Pareto tail fitted (method of
    /// moments) to the excesses over the <paramref name="level"/> quantile of the scores, and the threshold whose exceedance
    /// probability under that tail is <paramref name="risk"/>: z = t + σ/γ · ((risk · n / Nₜ)^(−γ) − 1) (γ = 0: t − σ ln(risk · n / Nₜ)).
    /// </summary>
    public static bool[] FlagByPot(float[] scores, double level = 0.98, double risk = 1e-3) =>
        PotThreshold(scores, level, risk) is var z ? [.. scores.Select(s => s > z)] : [];

    public static double PotThreshold(float[] scores, double level, double risk)
    {
        var sorted = scores.Select(s => (double)s).Order().ToArray();
        double t = Quantile(sorted, level);
        var peaks = sorted.Where(s => s > t).Select(s => s - t).ToArray();
        if (peaks.Length < 3) return sorted[^1];
        double mean = peaks.Average(), variance = peaks.Sum(p => (p - mean) * (p - mean)) / (peaks.Length - 1);
        if (variance <= 0) return sorted[^1];
        double gamma = 0.5 * (1 - mean * mean / variance), sigma = 0.5 * mean * (mean * mean / variance + 1);
        double ratio = risk * sorted.Length / peaks.Length;
        return Math.Abs(gamma) < 1e-9 ? t - sigma * Math.Log(ratio) : t + sigma / gamma * (Math.Pow(ratio, -gamma) - 1);
    }

    private static double Quantile(double[] sorted, double level)
    {
        double position = level * (sorted.Length - 1);
        int low = (int)Math.Floor(position), high = Math.Min(low + 1, sorted.Length - 1);
        return sorted[low] + (sorted[high] - sorted[low]) * (position - low);
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
