using AnomalyAE.TimeSeries.Evaluation.Data;

namespace AnomalyAE.TimeSeries.Evaluation.Metrics;

/// <summary>Precision, recall and F1 of a set of flagged rows against labeled ranges.</summary>
public readonly record struct PrecisionRecall(double Precision, double Recall)
{
    public double F1 => Precision + Recall == 0 ? 0 : 2 * Precision * Recall / (Precision + Recall);
}

/// <summary>Threshold metrics over ranges.</summary>
public static class RangeMetrics
{
    /// <summary>
    /// Range-based precision and recall (Tatbul, Lee, Zdonik, Alam, Gottschlich, "Precision and Recall for Time Series",
    /// NeurIPS 2018) with α = 0 (no separate existence reward), flat positional bias and the reciprocal cardinality factor:
    /// recall of a real range R = γ(R) · |R ∩ ⋃P| / |R|, precision of a predicted range P = γ(P) · |P ∩ ⋃R| / |P|, where γ = 1
    /// when the range overlaps at most one range of the other side and 1/k when it overlaps k; recall is the mean over real
    /// ranges, precision the mean over predicted ranges (0 when nothing is predicted).
    /// </summary>
    public static PrecisionRecall RangeBased(bool[] predicted, bool[] labels)
    {
        var real = AnomalyRange.FromFlags(labels);
        var flagged = AnomalyRange.FromFlags(predicted);
        double recall = real.Length == 0 ? 0 : real.Average(r => Overlap(r, flagged));
        double precision = flagged.Length == 0 ? 0 : flagged.Average(p => Overlap(p, real));
        return new PrecisionRecall(precision, recall);
    }

    /// <summary>γ · (rows of <paramref name="range"/> covered by <paramref name="others"/>) / |range|.</summary>
    private static double Overlap(AnomalyRange range, AnomalyRange[] others)
    {
        int covered = 0, count = 0;
        foreach (var o in others)
        {
            int overlap = Math.Min(range.End, o.End) - Math.Max(range.Start, o.Start) + 1;
            if (overlap <= 0) continue;
            covered += overlap;
            count++;
        }
        return count == 0 ? 0 : covered / (double)range.Length / count;
    }

    /// <summary>Point-wise precision and recall of the flagged rows.</summary>
    public static PrecisionRecall PointWise(bool[] predicted, bool[] labels)
    {
        int tp = 0, flags = 0, positives = 0;
        for (int i = 0; i < labels.Length; i++)
        {
            if (predicted[i]) flags++;
            if (labels[i]) positives++;
            if (predicted[i] && labels[i]) tp++;
        }
        return new PrecisionRecall(flags == 0 ? 0 : tp / (double)flags, positives == 0 ? 0 : tp / (double)positives);
    }

    /// <summary>
    /// Point-adjusted precision and recall: a labeled range with any flagged row counts as wholly detected, then point-wise.
    /// Shown only beside the other metrics: it rates random scores as state of the art (Kim et al., AAAI 2022).
    /// </summary>
    public static PrecisionRecall PointAdjusted(bool[] predicted, bool[] labels)
    {
        var adjusted = (bool[])predicted.Clone();
        foreach (var r in AnomalyRange.FromFlags(labels))
        {
            bool any = false;
            for (int i = r.Start; i <= r.End && !any; i++) any = predicted[i];
            if (any) for (int i = r.Start; i <= r.End; i++) adjusted[i] = true;
        }
        return PointWise(adjusted, labels);
    }
}
