using Microsoft.ML.Runtime;

namespace AnomalyAE.Training;

/// <summary>Checks on the training features as a whole: value range for cross-entropy, and variance.</summary>
internal static class FeatureStatistics
{
    public static void Check(FeatureMatrix data, string columnName, bool needsUnitInterval, IChannel channel)
    {
        var min = new float[data.Columns];
        var max = new float[data.Columns];
        data.Row(0).CopyTo(min);
        data.Row(0).CopyTo(max);
        for (int r = 1; r < data.Rows; r++)
        {
            var row = data.Row(r);
            for (int c = 0; c < row.Length; c++)
            {
                if (row[c] < min[c]) min[c] = row[c];
                if (row[c] > max[c]) max[c] = row[c];
            }
        }

        var constant = Enumerable.Range(0, data.Columns).Where(c => min[c] == max[c]).ToArray();
        if (constant.Length == data.Columns)
            throw new InvalidOperationException(
                $"Column '{columnName}' has zero variance: every one of its {data.Columns} features is constant over the {data.Rows} training rows, so there is nothing to learn " +
                "and every score would be the same. Train on data that varies (check that the right column and rows reach the estimator).");
        if (constant.Length > 0)
            channel.Warning(MessageSensitivity.None,
                $"Column '{columnName}': {constant.Length} of {data.Columns} features are constant in the training data (slots {string.Join(", ", constant.Take(10))}{(constant.Length > 10 ? ", …" : "")}); any change in them at scoring time will raise the score.");

        if (!needsUnitInterval) return;
        float low = min.Min(), high = max.Max();
        if (low < 0 || high > 1)
            throw new InvalidOperationException(
                $"Binary cross-entropy needs every value of column '{columnName}' in [0, 1], but the training data ranges over [{low}, {high}]. " +
                $"Scale it first with ml.Transforms.NormalizeMinMax(\"{columnName}\"), or use ReconstructionLoss.MeanSquaredError and ReconstructionErrorMetric.MeanSquaredError.");
    }
}
