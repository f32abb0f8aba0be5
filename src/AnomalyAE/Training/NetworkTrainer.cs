using AnomalyAE.Data;
using System.Diagnostics;
using AnomalyAE.Networks;
using AnomalyAE.Runtime;
using Microsoft.ML.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace AnomalyAE.Training;

/// <summary>
/// The one training loop behind every estimator, over batches held in memory or streamed (<see cref="ITrainingBatches"/>):
/// a gradient step per batch, validation loss, early stopping with restore-best, per-epoch logging and progress,
/// cancellation between batches.
/// </summary>
internal sealed class NetworkTrainer
{
    private readonly TrainingSettings _settings;
    private readonly IChannel _channel;

    public NetworkTrainer(TrainingSettings settings, IChannel channel)
    {
        _settings = settings;
        _channel = channel;
    }

    /// <summary>Trains <paramref name="network"/> in place on <paramref name="batches"/> and returns the loss history.</summary>
    public IReadOnlyList<EpochLoss> Train(AutoencoderNetwork network, ITrainingBatches batches, CancellationToken cancellation)
    {
        TorchRuntime.UseThreads(_settings.Threads);
        _channel.Info(MessageSensitivity.None, $"Training {network.GetType().Name} {string.Join(" → ", network.Spec.EncoderWidths)} on {batches.TrainingRows} rows ({batches.ValidationRows} held out for validation), {_settings.Epochs} epochs, batch {_settings.BatchSize}, {_settings.Threads} thread(s)" +
            (batches is StreamedBatches ? ", streamed from the data" : "") +
            (_settings.TrimmedFraction > 0 ? $", leaving the {_settings.TrimmedFraction:P0} worst-reconstructed rows of each batch out of the loss." : "."));

        using var optimizer = new ParameterUpdate(_settings.Optimizer, network.parameters(), _settings.LearningRate, _settings.WeightDecay);
        var history = new List<EpochLoss>();
        var best = new BestWeights(network);
        var clock = Stopwatch.StartNew();
        try
        {
            for (int epoch = 1; epoch <= _settings.Epochs; epoch++)
            {
                var epochClock = Stopwatch.StartNew();
                var (trainLoss, trainedRows, validationLoss) = RunEpoch(network, optimizer, batches, epoch, cancellation);
                var loss = new EpochLoss(epoch, trainLoss, validationLoss);
                history.Add(loss);
                double rowsPerSecond = trainedRows / Math.Max(epochClock.Elapsed.TotalSeconds, 1e-9);
                _channel.Info(MessageSensitivity.None, $"Epoch {epoch}/{_settings.Epochs}: training loss {trainLoss:G5}" +
                    (validationLoss is double v ? $", validation loss {v:G5}" : "") + $" ({rowsPerSecond:F0} rows/s)");
                _settings.Progress?.Report(new TrainingProgress(epoch, _settings.Epochs, loss, clock.Elapsed, rowsPerSecond));

                if (!double.IsFinite(trainLoss))
                    throw new InvalidOperationException($"Training diverged at epoch {epoch} (loss {trainLoss}). Lower LearningRate, normalize the features (e.g. ml.Transforms.NormalizeMeanVariance) or check for extreme values.");
                if (_settings.EarlyStoppingPatience <= 0) continue;
                best.Offer(network, epoch, validationLoss ?? trainLoss);
                if (epoch - best.Epoch >= _settings.EarlyStoppingPatience)
                {
                    _channel.Info(MessageSensitivity.None, $"Early stopping at epoch {epoch}: no improvement for {_settings.EarlyStoppingPatience} epochs; restoring the weights of epoch {best.Epoch}.");
                    break;
                }
            }
            if (_settings.EarlyStoppingPatience > 0) best.Restore(network);
        }
        finally
        {
            best.Dispose();
        }
        network.eval();
        return history;
    }

    /// <summary>One epoch: a gradient step per training batch, the loss of each validation batch; the mean losses per row.</summary>
    private (double TrainLoss, long TrainedRows, double? ValidationLoss) RunEpoch(AutoencoderNetwork network, ParameterUpdate optimizer,
        ITrainingBatches batches, int epoch, CancellationToken cancellation)
    {
        double trainSum = 0, validationSum = 0;
        long trained = 0, validated = 0;
        network.train();
        batches.Epoch(_settings.BatchSize,
            train: batch =>
            {
                long count = batch.shape[0];
                if (count == 1 && _settings.DropSingleRowBatch && trained > 0) return;
                optimizer.ZeroGradients();
                var loss = BatchLoss.Reduce(network.Objective(batch, epoch, training: true), _settings.TrimmedFraction);
                loss.backward();
                optimizer.Step();
                trainSum += loss.item<float>() * count;
                trained += count;
            },
            validate: batch =>
            {
                network.eval();
                using (no_grad())
                {
                    long count = batch.shape[0];
                    validationSum += BatchLoss.Reduce(network.Objective(batch, epoch, training: false), _settings.TrimmedFraction).item<float>() * count;
                    validated += count;
                }
                network.train();
            },
            cancellation);
        if (trained == 0)
            throw new InvalidOperationException($"Epoch {epoch} had no rows to train on: {batches.ValidationRows} of the rows were held out for validation and none was left. " +
                "Lower ValidationFraction or train on more rows.");
        return (trainSum / trained, trained, validated > 0 ? validationSum / validated : null);
    }

    /// <summary>Copy of the weights at the best epoch so far.</summary>
    private sealed class BestWeights : IDisposable
    {
        private readonly Dictionary<string, Tensor> _state = [];
        private double _loss = double.PositiveInfinity;

        public BestWeights(nn.Module network) => Capture(network);

        public int Epoch { get; private set; }

        public void Offer(nn.Module network, int epoch, double loss)
        {
            if (!(loss < _loss)) return;
            _loss = loss;
            Epoch = epoch;
            Capture(network);
        }

        public void Restore(nn.Module network)
        {
            using var noGrad = no_grad();
            foreach (var (name, value) in network.state_dict())
                value.copy_(_state[name]);
        }

        private void Capture(nn.Module network)
        {
            using var noGrad = no_grad();
            // The scope holds detach()'s temporary until clone() has read it: outside a scope the finalizer may free a
            // temporary whose handle a native call is still using (seen as a segmentation fault under forced collections).
            using var scope = NewDisposeScope();
            foreach (var (name, value) in network.state_dict())
            {
                if (_state.TryGetValue(name, out var saved)) saved.copy_(value);
                else _state[name] = value.detach().clone().DetachFromDisposeScope();
            }
        }

        public void Dispose()
        {
            foreach (var tensor in _state.Values) tensor.Dispose();
        }
    }
}
