using AnomalyAE.Data;
using AnomalyAE.Networks;
using Microsoft.ML.Runtime;

namespace AnomalyAE.Training;

/// <summary>
/// Trains a network's parts (<see cref="AutoencoderNetwork.TrainingParts"/>: the network itself, or an ensemble's members)
/// one after another with the shared <see cref="NetworkTrainer"/>. Each part trains on its own seeded random subsample of
/// the rows, drawn in memory, or by a hash of the row position when streamed. Each part gets the step budget of its count.
/// </summary>
internal sealed class PartsTrainer(AutoencoderOptionsBase options, NetworkSpec spec, int threads, IChannel channel)
{
    /// <summary>Trains every part and returns the history: per epoch, the mean of the parts' losses.</summary>
    public IReadOnlyList<EpochLoss> Train(AutoencoderNetwork network, TrainingData data, int seed, CancellationToken cancellation)
    {
        var parts = network.TrainingParts;
        double rowFraction = options.PartRowFraction(parts.Count);
        int partRows = TrainingBatches.Rows(data.RowCount, rowFraction);
        int shuffleRows = options.ShuffleBufferSize ?? AutoencoderOptionsBase.Defaults.ShuffleBufferSizeFor(data.Columns);
        var histories = new List<IReadOnlyList<EpochLoss>>();
        for (int i = 0; i < parts.Count; i++)
        {
            // A single network keeps the ensemble's seed; members derive theirs from it.
            int partSeed = parts.Count == 1 ? seed : AutoencoderEnsemble.MemberSeed(seed, i);
            var settings = SettingsFor(partRows, partSeed, parts.Count, rowFraction);
            if (parts.Count > 1)
            {
                channel.Info(MessageSensitivity.None, $"Ensemble member {i + 1}/{parts.Count}: {partRows} of {data.RowCount} rows.");
                if (settings.Progress is { } progress) settings = settings with { Progress = new PartProgress(progress, i, parts.Count) };
            }
            using var batches = TrainingBatches.Open(data, rowFraction, settings.ValidationFraction, partSeed, shuffleRows);
            histories.Add(new NetworkTrainer(settings, channel).Train(parts[i], batches, cancellation));
        }
        network.eval();
        return histories.Count == 1 ? histories[0] : MeanHistory(histories);
    }

    /// <summary>
    /// How a part of <paramref name="rows"/> rows trains: the optimization options, with batch size and epochs left null
    /// chosen from the rows and the part's share of the step budget.
    /// </summary>
    private TrainingSettings SettingsFor(int rows, int partSeed, int parts, double rowFraction)
    {
        int trainingRows = rows - TrainingBudget.ValidationRows(rows, options.ValidationFraction);
        int? epochs = options.Epochs is int e && parts > 1 ? AutoencoderOptionsBase.Defaults.MemberEpochsFor(e, parts, rowFraction) : options.Epochs;
        // Ensemble members stop early on purpose and may train for less than the single network's least number of epochs.
        int targetSteps = TrainingBudget.MemberSteps(parts);
        var (batchSize, resolvedEpochs) = TrainingBudget.Resolve(trainingRows, options.BatchSize, epochs, targetSteps,
            minEpochs: parts == 1 ? TrainingBudget.MinEpochs : 1);
        FeatureStatistics.CheckSteps(trainingRows, batchSize, resolvedEpochs, targetSteps, channel);
        return new TrainingSettings
        {
            Optimizer = options.Optimizer,
            Epochs = resolvedEpochs,
            BatchSize = batchSize,
            LearningRate = options.LearningRate,
            WeightDecay = options.WeightDecay,
            ValidationFraction = options.ValidationFraction,
            EarlyStoppingPatience = options.EarlyStoppingPatience,
            TrimmedFraction = options.RobustTraining ? options.Contamination ?? AutoencoderOptionsBase.Defaults.Contamination : 0,
            Seed = partSeed,
            Threads = threads,
            DropSingleRowBatch = spec.BatchNormalization,
            Progress = options.Progress,
        };
    }

    private static List<EpochLoss> MeanHistory(List<IReadOnlyList<EpochLoss>> histories)
    {
        int epochs = histories.Max(h => h.Count);
        var mean = new List<EpochLoss>(epochs);
        for (int e = 0; e < epochs; e++)
        {
            var at = histories.Where(h => h.Count > e).Select(h => h[e]).ToList();
            var validation = at.Where(l => l.ValidationLoss is not null).Select(l => l.ValidationLoss!.Value).ToList();
            mean.Add(new EpochLoss(e + 1, at.Average(l => l.TrainingLoss), validation.Count > 0 ? validation.Average() : null));
        }
        return mean;
    }

    /// <summary>Reports a part's epochs as a share of the whole training.</summary>
    private sealed class PartProgress(IProgress<TrainingProgress> inner, int part, int parts) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) =>
            inner.Report(value with { Epoch = part * value.TotalEpochs + value.Epoch, TotalEpochs = parts * value.TotalEpochs });
    }
}
