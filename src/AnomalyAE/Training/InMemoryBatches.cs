using AnomalyAE.Data;
using AnomalyAE.Runtime;
using static TorchSharp.torch;

namespace AnomalyAE.Training;

/// <summary>
/// Batches from rows held in memory: a seeded split into training and validation rows once, both copied into tensors,
/// and a seeded permutation of the training rows every epoch (validated after the epoch's training batches).
/// </summary>
internal sealed class InMemoryBatches : ITrainingBatches
{
    private readonly Tensor _train;
    private readonly Tensor? _validation;
    private readonly Random _shuffle;

    public InMemoryBatches(FeatureMatrix data, double validationFraction, int seed)
    {
        var (trainRows, validationRows) = Split(data.Rows, validationFraction, seed);
        using var all = TensorBuffers.FromRows(data.Values, data.Rows, data.Columns);
        _train = Gather(all, trainRows);
        _validation = validationRows.Length > 0 ? Gather(all, validationRows) : null;
        _shuffle = new Random(seed);
    }

    public long TrainingRows => _train.shape[0];
    public long ValidationRows => _validation?.shape[0] ?? 0;

    public void Epoch(int batchSize, Action<Tensor> train, Action<Tensor> validate, CancellationToken cancellation)
    {
        long rows = _train.shape[0];
        var order = Enumerable.Range(0, (int)rows).ToArray();
        _shuffle.Shuffle(order);
        using var permutation = tensor(order.Select(i => (long)i).ToArray());
        for (long start = 0; start < rows; start += batchSize)
        {
            cancellation.ThrowIfCancellationRequested();
            using var scope = NewDisposeScope();
            train(_train.index_select(0, permutation.narrow(0, start, Math.Min(batchSize, rows - start))));
        }
        if (_validation is null) return;
        for (long start = 0; start < ValidationRows; start += batchSize)
        {
            using var scope = NewDisposeScope();
            validate(_validation.narrow(0, start, Math.Min(batchSize, ValidationRows - start)));
        }
    }

    private static (long[] Train, long[] Validation) Split(int rows, double validationFraction, int seed)
    {
        var order = Enumerable.Range(0, rows).Select(i => (long)i).ToArray();
        int validationCount = TrainingBudget.ValidationRows(rows, validationFraction);
        if (validationCount == 0) return (order, []);
        new Random(unchecked(seed * 31 + 7)).Shuffle(order);
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

    public void Dispose()
    {
        _train.Dispose();
        _validation?.Dispose();
    }
}
