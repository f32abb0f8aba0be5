namespace AnomalyAE;

/// <summary>One epoch's losses, as kept in a transformer's <c>TrainingHistory</c>.</summary>
/// <param name="Epoch">1-based epoch number.</param>
/// <param name="TrainingLoss">Mean training objective over the epoch's batches.</param>
/// <param name="ValidationLoss">Objective on the held-out rows (no noise, no dropout); null without validation rows.</param>
public sealed record EpochLoss(int Epoch, double TrainingLoss, double? ValidationLoss);

/// <summary>Reported to <see cref="AutoencoderOptionsBase.Progress"/> after every epoch.</summary>
/// <param name="Epoch">1-based epoch just finished.</param>
/// <param name="TotalEpochs">Epochs planned.</param>
/// <param name="Loss">The epoch's losses.</param>
/// <param name="Elapsed">Time since training started.</param>
/// <param name="RowsPerSecond">Training throughput of the epoch.</param>
public sealed record TrainingProgress(int Epoch, int TotalEpochs, EpochLoss Loss, TimeSpan Elapsed, double RowsPerSecond);
