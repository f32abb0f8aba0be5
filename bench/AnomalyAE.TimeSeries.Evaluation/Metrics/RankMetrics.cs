namespace AnomalyAE.TimeSeries.Evaluation.Metrics;

/// <summary>Point-wise ROC-AUC and average precision (PR-AUC) of anomaly scores (higher = more anomalous), as scikit-learn computes them.</summary>
public static class RankMetrics
{
    /// <summary>P(score of an anomalous row &gt; score of a normal row), ties counted half.</summary>
    public static double RocAuc(double[] scores, bool[] isAnomaly)
    {
        var order = Enumerable.Range(0, scores.Length).OrderBy(i => scores[i]).ToArray();
        double rankSum = 0;
        for (int start = 0; start < order.Length;)
        {
            int end = start;
            while (end + 1 < order.Length && scores[order[end + 1]] == scores[order[start]]) end++;
            double midRank = (start + end) / 2.0 + 1;
            for (int k = start; k <= end; k++) if (isAnomaly[order[k]]) rankSum += midRank;
            start = end + 1;
        }
        long positives = isAnomaly.Count(a => a), negatives = scores.Length - positives;
        return (rankSum - positives * (positives + 1) / 2.0) / ((double)positives * negatives);
    }

    /// <summary>Σ (Rₙ − Rₙ₋₁) Pₙ over distinct score thresholds, highest first (scikit-learn's average_precision_score).</summary>
    public static double AveragePrecision(double[] scores, bool[] isAnomaly)
    {
        var order = Enumerable.Range(0, scores.Length).OrderByDescending(i => scores[i]).ToArray();
        long positives = isAnomaly.Count(a => a);
        double ap = 0, previousRecall = 0;
        long truePositives = 0;
        for (int start = 0; start < order.Length;)
        {
            int end = start;
            while (end + 1 < order.Length && scores[order[end + 1]] == scores[order[start]]) end++;
            for (int k = start; k <= end; k++) if (isAnomaly[order[k]]) truePositives++;
            double recall = truePositives / (double)positives, precision = truePositives / (double)(end + 1);
            ap += (recall - previousRecall) * precision;
            previousRecall = recall;
            start = end + 1;
        }
        return ap;
    }
}
