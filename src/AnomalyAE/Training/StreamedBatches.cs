using System.Collections.Concurrent;
using AnomalyAE.Data;
using AnomalyAE.Runtime;
using static TorchSharp.torch;

namespace AnomalyAE.Training;

/// <summary>
/// Batches streamed from the data, one pass per epoch: memory holds the shuffle buffer and two batches, never the rows.
/// Which rows take part (an ensemble member's subsample) and which are held out for validation is decided by a seeded
/// hash of each row's position (<see cref="RowHash"/>), so every epoch sees the same split without storing it. Training
/// rows go through a seeded <see cref="ShuffleBuffer"/>; validation rows are evaluated as the pass meets them, with
/// the weights of that moment (as the training loss is averaged over the epoch's changing weights).
/// </summary>
internal sealed class StreamedBatches : ITrainingBatches
{
    /// <summary>Rows read from the source at a time.</summary>
    private const int BlockRows = 1024;

    private readonly IFeatureRows _rows;
    private readonly double _memberFraction, _validationFraction;
    private readonly int _memberSeed, _validationSeed;
    private readonly ShuffleBuffer _shuffle;

    /// <param name="rows">The training rows.</param>
    /// <param name="memberFraction">Fraction of the rows that take part (an ensemble member's subsample; 1 = all).</param>
    /// <param name="validationFraction">Fraction of the taking part rows held out (rounded down as the in-memory split is).</param>
    /// <param name="seed">Seed of the split, the subsample and the shuffle.</param>
    /// <param name="shuffleRows">Rows the shuffle buffer holds (lowered to the expected training rows).</param>
    public StreamedBatches(IFeatureRows rows, double memberFraction, double validationFraction, int seed, int shuffleRows)
    {
        _rows = rows;
        _memberFraction = memberFraction;
        long taking = Math.Max(1, (long)Math.Round(rows.Rows * memberFraction));
        ValidationRows = (long)Math.Floor(taking * validationFraction);
        TrainingRows = taking - ValidationRows;
        _validationFraction = ValidationRows / (double)taking;
        _memberSeed = unchecked(seed * 17 + 3);
        _validationSeed = unchecked(seed * 31 + 7);
        _shuffle = new ShuffleBuffer((int)Math.Clamp(TrainingRows, 1, shuffleRows), rows.Columns, new Random(seed));
    }

    public long TrainingRows { get; }
    public long ValidationRows { get; }

    public void Epoch(int batchSize, Action<Tensor> train, Action<Tensor> validate, CancellationToken cancellation)
    {
        // Reading, checking and shuffling rows runs on its own thread, a few batches ahead of the gradient steps, so
        // the cost of the source overlaps with training instead of adding to it. The batches and their order are the
        // same as if read inline: one producer, one seeded shuffle.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        using var ready = new BlockingCollection<FilledBatch>(boundedCapacity: PrefetchBatches);
        var spare = new ConcurrentBag<float[]>();
        var reader = Task.Factory.StartNew(() =>
        {
            try
            {
                Read(batchSize, batch => ready.Add(batch, stop.Token), spare, stop.Token);
            }
            finally
            {
                ready.CompleteAdding();
            }
        }, stop.Token, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        try
        {
            foreach (var batch in ready.GetConsumingEnumerable())
            {
                using (NewDisposeScope())
                    (batch.Validation ? validate : train)(TensorBuffers.FromRows(batch.Values, batch.Count, _rows.Columns));
                spare.Add(batch.Values);
            }
            reader.GetAwaiter().GetResult();   // a problem in the data surfaces here
        }
        catch
        {
            stop.Cancel();
            try { reader.Wait(); } catch (AggregateException) { }
            throw;
        }
    }

    /// <summary>Batches handed from the reading thread to the training thread at most this far ahead.</summary>
    private const int PrefetchBatches = 4;

    /// <summary>A batch's rows (<see cref="Count"/> of them, row-major); validation rows or shuffled training rows.</summary>
    private readonly record struct FilledBatch(float[] Values, int Count, bool Validation);

    /// <summary>One pass over the rows: validation rows in order, training rows through the shuffle buffer, in batches.</summary>
    private void Read(int batchSize, Action<FilledBatch> emit, ConcurrentBag<float[]> spare, CancellationToken cancellation)
    {
        int columns = _rows.Columns;
        float[] Buffer() => spare.TryTake(out var values) ? values : new float[(long)batchSize * columns];
        var trainBatch = new Batch(batchSize, columns, Buffer, (values, count) => emit(new FilledBatch(values, count, Validation: false)));
        var validationBatch = new Batch(batchSize, columns, Buffer, (values, count) => emit(new FilledBatch(values, count, Validation: true)));
        var leaving = new float[columns];
        foreach (var block in _rows.Blocks(BlockRows, cancellation))
        {
            for (int r = 0; r < block.Count; r++)
            {
                long position = block.Start + r;
                if (_memberFraction < 1 && RowHash.Unit(position, _memberSeed) >= _memberFraction) continue;
                var row = block.Values.AsSpan(r * columns, columns);
                if (_validationFraction > 0 && RowHash.Unit(position, _validationSeed) < _validationFraction) validationBatch.Add(row);
                else if (_shuffle.Exchange(row, leaving)) trainBatch.Add(leaving);
            }
        }
        while (_shuffle.Drain(leaving)) trainBatch.Add(leaving);
        trainBatch.Flush();
        validationBatch.Flush();
    }

    /// <summary>Rows gathered into a buffer until a batch is full, then handed on with the buffer.</summary>
    private sealed class Batch(int size, int columns, Func<float[]> buffer, Action<float[], int> emit)
    {
        private float[]? _values;
        private int _count;

        public void Add(ReadOnlySpan<float> row)
        {
            _values ??= buffer();
            row.CopyTo(_values.AsSpan(_count * columns, columns));
            if (++_count == size) Flush();
        }

        public void Flush()
        {
            if (_count == 0) return;
            emit(_values!, _count);
            _values = null;
            _count = 0;
        }
    }

    public void Dispose()
    {
    }
}
