using AnomalyAE.Data;
using System.Diagnostics;
using AnomalyAE.Networks;
using AnomalyAE.Runtime;
using Microsoft.ML.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace AnomalyAE.Training;

/// <summary>
/// The one training loop behind every estimator: seeded shuffled mini-batches, a held-out validation split,
/// early stopping with restore-best, per-epoch logging and progress, cancellation between batches.
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

    /// <summary>Trains <paramref name="network"/> in place and returns the loss history.</summary>
    public IReadOnlyList<EpochLoss> Train(AutoencoderNetwork network, FeatureMatrix data, CancellationToken cancellation)
    {
        TorchRuntime.UseThreads(_settings.Threads);
        var (trainRows, validationRows) = Split(data.Rows);
        _channel.Info(MessageSensitivity.None, $"Training {network.GetType().Name} {string.Join(" → ", network.Spec.EncoderWidths)} on {trainRows.Length} rows ({validationRows.Length} held out for validation), {_settings.Epochs} epochs, batch {_settings.BatchSize}, {_settings.Threads} thread(s)" +
            (_settings.TrimmedFraction > 0 ? $", leaving the {_settings.TrimmedFraction:P0} worst-reconstructed rows of each batch out of the loss." : "."));

        using var all = TensorBuffers.FromRows(data.Values, data.Rows, data.Columns);
        using var train = Gather(all, trainRows);
        using var validation = validationRows.Length > 0 ? Gather(all, validationRows) : null;
        using var optimizer = new ParameterUpdate(_settings.Optimizer, network.parameters(), _settings.LearningRate, _settings.WeightDecay);
        var shuffle = new Random(_settings.Seed);
        var history = new List<EpochLoss>();
        var best = new BestWeights(network);
        var clock = Stopwatch.StartNew();
        try
        {
            for (int epoch = 1; epoch <= _settings.Epochs; epoch++)
            {
                var epochClock = Stopwatch.StartNew();
                double trainLoss = RunEpoch(network, optimizer, train, shuffle, epoch, cancellation);
                double? validationLoss = validation is null ? null : Evaluate(network, validation, epoch);
                var loss = new EpochLoss(epoch, trainLoss, validationLoss);
                history.Add(loss);
                double rowsPerSecond = train.shape[0] / Math.Max(epochClock.Elapsed.TotalSeconds, 1e-9);
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

    private double RunEpoch(AutoencoderNetwork network, ParameterUpdate optimizer, Tensor train, Random shuffle, int epoch, CancellationToken cancellation)
    {
        network.train();
        long rows = train.shape[0];
        var order = Enumerable.Range(0, (int)rows).ToArray();
        shuffle.Shuffle(order);
        using var permutation = tensor(order.Select(i => (long)i).ToArray());
        double sum = 0;
        long seen = 0;
        for (long start = 0; start < rows; start += _settings.BatchSize)
        {
            cancellation.ThrowIfCancellationRequested();
            long count = Math.Min(_settings.BatchSize, rows - start);
            if (count == 1 && _settings.DropSingleRowBatch && seen > 0) break;
            using var scope = NewDisposeScope();
            var batch = train.index_select(0, permutation.narrow(0, start, count));
            optimizer.ZeroGradients();
            var loss = BatchLoss.Reduce(network.Objective(batch, epoch, training: true), _settings.TrimmedFraction);
            loss.backward();
            optimizer.Step();
            sum += loss.item<float>() * count;
            seen += count;
        }
        return sum / seen;
    }

    private double Evaluate(AutoencoderNetwork network, Tensor validation, int epoch)
    {
        network.eval();
        using var noGrad = no_grad();
        long rows = validation.shape[0];
        double sum = 0;
        for (long start = 0; start < rows; start += _settings.BatchSize)
        {
            using var scope = NewDisposeScope();
            long count = Math.Min(_settings.BatchSize, rows - start);
            sum += BatchLoss.Reduce(network.Objective(validation.narrow(0, start, count), epoch, training: false), _settings.TrimmedFraction).item<float>() * count;
        }
        return sum / rows;
    }

    private (long[] Train, long[] Validation) Split(int rows)
    {
        var order = Enumerable.Range(0, rows).Select(i => (long)i).ToArray();
        int validationCount = TrainingBudget.ValidationRows(rows, _settings.ValidationFraction);
        if (validationCount == 0) return (order, []);
        new Random(unchecked(_settings.Seed * 31 + 7)).Shuffle(order);
        var validation = order[..validationCount];
        var train = order[validationCount..];
        Array.Sort(validation);
        Array.Sort(train);
        return (train, validation);
    }

    private static Tensor Gather(Tensor all, long[] rows)
    {
        using var index = tensor(rows);
        return all.index_select(0, index);
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
