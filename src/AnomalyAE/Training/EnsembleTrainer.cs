using AnomalyAE.Data;
using AnomalyAE.Networks;
using Microsoft.ML.Runtime;

namespace AnomalyAE.Training;

/// <summary>
/// Trains the members of an <see cref="AutoencoderEnsemble"/> one after another, each on its own seeded random
/// subsample of the rows (drawn in memory, or by a hash of the row position when streamed) with the shared <see cref="NetworkTrainer"/>.
/// </summary>
internal sealed class EnsembleTrainer
{
    private readonly Func<int, int, TrainingSettings> _settingsFor;
    private readonly IChannel _channel;

    /// <param name="settingsFor">Training settings for a member, given its number of rows and its seed.</param>
    /// <param name="channel">Where progress is logged.</param>
    public EnsembleTrainer(Func<int, int, TrainingSettings> settingsFor, IChannel channel)
    {
        _settingsFor = settingsFor;
        _channel = channel;
    }

    /// <summary>Trains every member and returns the ensemble's history: per epoch, the mean of the members' losses.</summary>
    public IReadOnlyList<EpochLoss> Train(AutoencoderEnsemble ensemble, TrainingData data, double subsampleFraction, int seed, int shuffleRows,
        CancellationToken cancellation)
    {
        int memberRows = TrainingBatches.Rows(data.RowCount, subsampleFraction);
        var histories = new List<IReadOnlyList<EpochLoss>>();
        for (int i = 0; i < ensemble.Members.Count; i++)
        {
            int memberSeed = AutoencoderEnsemble.MemberSeed(seed, i);
            var settings = _settingsFor(memberRows, memberSeed);
            var progress = settings.Progress is null ? null : new MemberProgress(settings.Progress, i, ensemble.Members.Count);
            _channel.Info(MessageSensitivity.None, $"Ensemble member {i + 1}/{ensemble.Members.Count}: {memberRows} of {data.RowCount} rows.");
            using var batches = TrainingBatches.Open(data, subsampleFraction, settings.ValidationFraction, memberSeed, shuffleRows);
            histories.Add(new NetworkTrainer(settings with { Progress = progress }, _channel).Train(ensemble.Members[i], batches, cancellation));
        }
        ensemble.eval();
        return MeanHistory(histories);
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

    /// <summary>Reports a member's epochs as a share of the whole ensemble's training.</summary>
    private sealed class MemberProgress(IProgress<TrainingProgress> inner, int member, int members) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) =>
            inner.Report(value with { Epoch = member * value.TotalEpochs + value.Epoch, TotalEpochs = members * value.TotalEpochs });
    }
}
