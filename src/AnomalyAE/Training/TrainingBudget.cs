namespace AnomalyAE.Training;

/// <summary>
/// Batch size and epochs when the options leave them to the data (<c>BatchSize</c>/<c>Epochs</c> null): small data
/// gets small batches and more passes, so a few hundred rows are trained about as many gradient steps as a large
/// data set, and a large data set is not passed over more often than it needs.
/// </summary>
internal static class TrainingBudget
{
    /// <summary>Gradient steps the data-scaled epochs aim for (chosen by the sweep in bench/QUALITY.md).</summary>
    public const int TargetSteps = 3000;

    /// <summary>
    /// Gradient steps each ensemble member aims for (chosen by the tabular benchmark, bench/TABULAR.md): members train on
    /// part of the rows and need not fit them closely, and fewer steps each keep an ensemble's training time near a single network's.
    /// </summary>
    public const int MemberSteps = 1000;
    public const int MinBatchSize = 16, MaxBatchSize = 256;
    public const int MinEpochs = 10, MaxEpochs = 500;

    /// <summary>The power of two nearest to rows / 32, within [16, 256]: about 32 steps per epoch below 8,192 rows.</summary>
    public static int BatchSize(int trainingRows) => NearestPowerOfTwo.To(trainingRows / 32.0, MinBatchSize, MaxBatchSize);

    /// <summary>Enough epochs for <paramref name="targetSteps"/> steps, within [10, 500].</summary>
    public static int Epochs(int trainingRows, int batchSize, int targetSteps = TargetSteps)
    {
        long stepsPerEpoch = Math.Max(1, (trainingRows + batchSize - 1) / batchSize);
        return (int)Math.Clamp((targetSteps + stepsPerEpoch - 1) / stepsPerEpoch, MinEpochs, MaxEpochs);
    }

    /// <summary>Rows the trainer holds out for validation (the rest are trained on); <c>NetworkTrainer</c> splits by this count.</summary>
    public static int ValidationRows(int rows, double validationFraction) => (int)Math.Floor(rows * validationFraction);

    /// <summary>The options' batch size and epochs, with nulls resolved from <paramref name="trainingRows"/>.</summary>
    public static (int BatchSize, int Epochs) Resolve(int trainingRows, int? batchSize, int? epochs, int targetSteps = TargetSteps)
    {
        int batch = batchSize ?? BatchSize(trainingRows);
        return (batch, epochs ?? Epochs(trainingRows, batch, targetSteps));
    }
}
