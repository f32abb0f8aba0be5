namespace AnomalyAE.Training;

/// <summary>
/// Batch size and epochs when the options leave them to the data (<c>BatchSize</c>/<c>Epochs</c> null): small data
/// gets small batches and more passes, so a few hundred rows are trained about as many gradient steps as a large
/// data set, and a large data set is not passed over more often than it needs. The rules and their constants live in
/// <see cref="AutoencoderOptionsBase.Defaults"/>; this is the trainer's view of them.
/// </summary>
internal static class TrainingBudget
{
    public const int TargetSteps = AutoencoderOptionsBase.Defaults.TargetSteps;

    /// <summary>Gradient steps each of <paramref name="members"/> ensemble members aims for.</summary>
    public static int MemberSteps(int members) => AutoencoderOptionsBase.Defaults.MemberStepsFor(members);

    public const int MinBatchSize = AutoencoderOptionsBase.Defaults.MinBatchSize, MaxBatchSize = AutoencoderOptionsBase.Defaults.MaxBatchSize;
    public const int MinEpochs = AutoencoderOptionsBase.Defaults.MinEpochs, MaxEpochs = AutoencoderOptionsBase.Defaults.MaxEpochs;

    public static int BatchSize(int trainingRows) => AutoencoderOptionsBase.Defaults.BatchSizeFor(trainingRows);

    public static int Epochs(int trainingRows, int batchSize, int targetSteps = TargetSteps, int minEpochs = MinEpochs) =>
        AutoencoderOptionsBase.Defaults.EpochsFor(trainingRows, batchSize, targetSteps, minEpochs);

    /// <summary>Rows the trainer holds out for validation (the rest are trained on); <c>NetworkTrainer</c> splits by this count.</summary>
    public static int ValidationRows(int rows, double validationFraction) => AutoencoderOptionsBase.Defaults.ValidationRows(rows, validationFraction);

    /// <summary>The options' batch size and epochs, with nulls resolved from <paramref name="trainingRows"/>.</summary>
    public static (int BatchSize, int Epochs) Resolve(int trainingRows, int? batchSize, int? epochs, int targetSteps = TargetSteps, int minEpochs = MinEpochs)
    {
        int batch = batchSize ?? BatchSize(trainingRows);
        return (batch, epochs ?? Epochs(trainingRows, batch, targetSteps, minEpochs));
    }
}
