using AnomalyAE.Data;
using Microsoft.ML.Runtime;

namespace AnomalyAE.Training;

/// <summary>Checks on the training features as a whole: value range for cross-entropy, variance, scales, and fit quality.</summary>
internal static class FeatureStatistics
{
    public static void Check(FeatureSummary data, string columnName, bool needsUnitInterval, IChannel channel)
    {
        float[] min = data.Min, max = data.Max;
        var constant = Enumerable.Range(0, data.Columns).Where(c => min[c] == max[c]).ToArray();
        if (constant.Length == data.Columns)
            throw new InvalidOperationException(
                $"Column '{columnName}' has zero variance: every one of its {data.Columns} features is constant over the {data.Rows} training rows, so there is nothing to learn " +
                "and every score would be the same. Train on data that varies (check that the right column and rows reach the estimator).");
        if (constant.Length > 0)
            channel.Warning(MessageSensitivity.None,
                $"Column '{columnName}': {constant.Length} of {data.Columns} features are constant in the training data (slots {string.Join(", ", constant.Take(10))}{(constant.Length > 10 ? ", …" : "")}); any change in them at scoring time will raise the score.");

        // Reconstruction error sums over features, so a feature spanning a hundred times the typical range dominates it.
        // Compared with the median (not the narrowest) range, so that nearly blank image borders do not trigger it.
        var ranges = Enumerable.Range(0, data.Columns).Where(c => max[c] > min[c]).Select(c => (double)max[c] - min[c]).Order().ToArray();
        if (ranges.Length > 1 && ranges[^1] > 100 * ranges[ranges.Length / 2])
            channel.Warning(MessageSensitivity.None,
                $"Column '{columnName}': the widest feature spans {ranges[^1]:G3}, the median feature {ranges[ranges.Length / 2]:G3}; the reconstruction error, and so the score, " +
                $"is dominated by the widest features. Normalize first, e.g. ml.Transforms.NormalizeMeanVariance(\"{columnName}\").");

        if (!needsUnitInterval) return;
        float low = min.Min(), high = max.Max();
        if (low < 0 || high > 1)
            throw new InvalidOperationException(
                $"Binary cross-entropy needs every value of column '{columnName}' in [0, 1], but the training data ranges over [{low}, {high}]. " +
                $"Scale it first with ml.Transforms.NormalizeMinMax(\"{columnName}\"), or use ReconstructionLoss.MeanSquaredError and ReconstructionErrorMetric.MeanSquaredError.");
    }

    /// <summary>
    /// Warns when the trained network reconstructs no better than the column means (collapse or undertraining), given
    /// the mean over the training rows of their mean squared reconstruction error.
    /// </summary>
    public static void CheckFit(FeatureSummary data, double meanSquaredError, string columnName, IChannel channel)
    {
        double error = meanSquaredError, baseline = data.MeanVariance();
        if (error < 0.9 * baseline) return;
        channel.Warning(MessageSensitivity.None,
            $"The autoencoder reconstructs column '{columnName}' no better than its column means (mean squared error {error:G3} against a variance of {baseline:G3}): " +
            "it has collapsed or is undertrained, and its scores rank rows much like their distance from the mean. Raise Epochs or LearningRate, lower BatchSize, or normalize the features.");
    }

    /// <summary>Warns when the code is at least as wide as the input: such an autoencoder can learn to copy its input.</summary>
    public static void CheckCodeWidth(int features, int latentDimension, string columnName, IChannel channel)
    {
        if (latentDimension < features) return;
        channel.Warning(MessageSensitivity.None,
            $"LatentDimension {latentDimension} is not smaller than the {features} features of column '{columnName}': an overcomplete code can copy its input, " +
            "so every row reconstructs well and scores alike. Lower LatentDimension below the number of features (or leave it null to choose one), or add Noise or Sparsity.");
    }

    /// <summary>
    /// Warns when the planned training makes few gradient steps (small data at a large batch size or few epochs): fewer than
    /// 500, or than <paramref name="intendedSteps"/> when that is less (ensemble members stop early on purpose).
    /// </summary>
    public static void CheckSteps(long trainingRows, int batchSize, int epochs, int intendedSteps, IChannel channel)
    {
        long steps = (long)Math.Ceiling(trainingRows / (double)batchSize) * epochs;
        if (steps >= Math.Min(500, intendedSteps)) return;
        channel.Warning(MessageSensitivity.None,
            $"Training will make only {steps} gradient steps ({trainingRows} training rows in batches of {batchSize}, {epochs} epochs); small data sets usually need more. " +
            "Raise Epochs or lower BatchSize, or leave both null so they are chosen from the number of rows.");
    }
}
