using AnomalyAE.Data;
using static TorchSharp.torch;

namespace AnomalyAE.Training;

/// <summary>
/// Where the trainer's batches come from: the one seam between training on rows held in memory
/// (<see cref="InMemoryBatches"/>) and rows streamed from the data (<see cref="StreamedBatches"/>). The training loop
/// (<see cref="NetworkTrainer"/>) is the same for both.
/// </summary>
internal interface ITrainingBatches : IDisposable
{
    /// <summary>Rows trained on per epoch (for a streamed source, the expected number).</summary>
    long TrainingRows { get; }

    /// <summary>Rows held out for validation (for a streamed source, the expected number).</summary>
    long ValidationRows { get; }

    /// <summary>
    /// One epoch: every training row once, in shuffled batches of <paramref name="batchSize"/> given to
    /// <paramref name="train"/>, and every validation row once, in batches given to <paramref name="validate"/>.
    /// Each batch's tensor, and every tensor made from it in the callback, is freed when the callback returns.
    /// </summary>
    void Epoch(int batchSize, Action<Tensor> train, Action<Tensor> validate, CancellationToken cancellation);
}

/// <summary>Opens the batches of a network (or an ensemble member) on the training data, in memory or streamed as the data was read.</summary>
internal static class TrainingBatches
{
    /// <param name="data">The training data after its first pass.</param>
    /// <param name="rowFraction">Fraction of the rows this network trains on (an ensemble member's subsample; 1 = all).</param>
    /// <param name="validationFraction">Fraction of those rows held out for validation.</param>
    /// <param name="seed">Seed of the subsample, the split and the shuffle.</param>
    /// <param name="shuffleRows">Rows of the shuffle buffer when streaming.</param>
    public static ITrainingBatches Open(TrainingData data, double rowFraction, double validationFraction, int seed, int shuffleRows)
    {
        if (data.InMemory is not { } matrix) return new StreamedBatches(data.Rows, rowFraction, validationFraction, seed, shuffleRows);
        int rows = Rows(matrix.Rows, rowFraction);
        return new InMemoryBatches(rows == matrix.Rows ? matrix : Subsample(matrix, rows, seed), validationFraction, seed);
    }

    /// <summary>Rows a network trains on (validation included) out of <paramref name="rows"/>.</summary>
    public static int Rows(long rows, double rowFraction) => (int)Math.Clamp(Math.Round(rows * rowFraction), 1, Math.Min(rows, int.MaxValue));

    /// <summary><paramref name="count"/> distinct rows drawn without replacement, kept in their original order.</summary>
    private static FeatureMatrix Subsample(FeatureMatrix data, int count, int seed)
    {
        var order = Enumerable.Range(0, data.Rows).ToArray();
        new Random(seed).Shuffle(order);
        var chosen = order[..count];
        Array.Sort(chosen);
        var values = new float[(long)count * data.Columns];
        for (int r = 0; r < count; r++) data.Row(chosen[r]).CopyTo(values.AsSpan(r * data.Columns, data.Columns));
        return new FeatureMatrix(values, count, data.Columns);
    }
}
