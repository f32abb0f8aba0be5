using AnomalyAE.TimeSeries.Evaluation.Data;

namespace AnomalyAE.TimeSeries.Evaluation.Metrics;

/// <summary>
/// VUS-PR (Paparrizos, Boniol, Palpanas, Tsay, Elmore, Franklin, "Volume Under the Surface: A New Accuracy Evaluation
/// Measure for Time-Series Anomaly Detection", VLDB 2022), written from the paper's definitions:
/// <list type="bullet">
/// <item>Buffered labels for a buffer length ℓ: 1 inside a labeled range; at distance d = 1…⌊ℓ/2⌋ before its start or after
/// its end, √(1 − d/ℓ); 0 elsewhere (where buffers of two ranges meet, the larger value).</item>
/// <item>At a threshold (rows with score ≥ it are predicted): TP = Σ label·pred; P_ℓ = (P + Σ label)/2, the mean of the
/// original positives and the buffered label mass; Recall = min(TP/P_ℓ, 1); Existence = the share of buffered ranges
/// (maximal runs of non-zero label) holding a predicted row; TPR = Recall · Existence; Precision = TP / (predicted rows).</item>
/// <item>Range-PR-AUC(ℓ) = the area under (TPR, Precision) over thresholds; VUS-PR = its mean over ℓ = 0…L.</item>
/// </list>
/// Discretization (ours, documented): every distinct score is a threshold (no 250-quantile grid), the area is the step sum
/// Σ (TPRₙ − TPRₙ₋₁)·Precisionₙ from TPR = 0 (as average precision is), and ℓ takes every integer 0…L with equal weight.
/// The reference code of VUS / TSB-AD instead uses 250 thresholds at score quantiles and, in its later versions, trapezoids
/// of precision, so its values differ slightly. At ℓ = 0, Range-PR-AUC differs from average precision only by the
/// existence factor. L is the series' sliding-window length, as TSB-AD sets it.
/// </summary>
public static class VolumeUnderSurface
{
    public static double VusPr(double[] scores, bool[] labels, int maxBuffer)
    {
        if (scores.Length != labels.Length) throw new ArgumentException("scores and labels differ in length.");
        var ranges = AnomalyRange.FromFlags(labels);
        if (ranges.Length == 0) throw new ArgumentException("VUS-PR needs at least one labeled row.");
        var order = Enumerable.Range(0, scores.Length).OrderByDescending(i => scores[i]).ToArray();
        double total = 0;
        for (int buffer = 0; buffer <= maxBuffer; buffer++) total += RangePrAuc(scores, order, ranges, labels.Length, buffer);
        return total / (maxBuffer + 1);
    }

    /// <summary>The buffered label of every row for buffer length <paramref name="buffer"/>.</summary>
    public static double[] BufferedLabels(IReadOnlyList<AnomalyRange> ranges, int rows, int buffer)
    {
        var label = new double[rows];
        int half = buffer / 2;
        foreach (var r in ranges)
        {
            for (int i = r.Start; i <= r.End; i++) label[i] = 1;
            for (int d = 1; d <= half; d++)
            {
                double value = Math.Sqrt(1 - d / (double)buffer);
                if (r.Start - d >= 0) label[r.Start - d] = Math.Max(label[r.Start - d], value);
                if (r.End + d < rows) label[r.End + d] = Math.Max(label[r.End + d], value);
            }
        }
        return label;
    }

    /// <summary>Range-PR-AUC at one buffer length (rows visited in <paramref name="order"/>, highest score first).</summary>
    public static double RangePrAuc(double[] scores, int[] order, IReadOnlyList<AnomalyRange> ranges, int rows, int buffer)
    {
        var label = BufferedLabels(ranges, rows, buffer);
        // The buffered ranges: maximal runs of non-zero label, one id per row (-1 outside).
        var segment = new int[rows];
        int segments = 0;
        for (int i = 0; i < rows; i++)
            segment[i] = label[i] > 0 ? (i > 0 && label[i - 1] > 0 ? segments - 1 : segments++) : -1;
        double positives = ranges.Sum(r => r.Length);
        double positivesBuffered = (positives + label.Sum()) / 2;
        var hit = new bool[segments];
        int existing = 0, predicted = 0;
        double truePositives = 0, area = 0, previousTpr = 0;
        for (int k = 0; k < order.Length;)
        {
            double threshold = scores[order[k]];
            for (; k < order.Length && scores[order[k]] == threshold; k++)
            {
                int i = order[k];
                predicted++;
                truePositives += label[i];
                if (segment[i] >= 0 && !hit[segment[i]]) { hit[segment[i]] = true; existing++; }
            }
            double tpr = Math.Min(truePositives / positivesBuffered, 1) * existing / segments;
            area += (tpr - previousTpr) * truePositives / predicted;
            previousTpr = tpr;
        }
        return area;
    }
}
