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
        int columns = _rows.Columns;
        var trainBatch = new Batch(batchSize, columns, train);
        var validationBatch = new Batch(batchSize, columns, validate);
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

    /// <summary>Rows gathered until a batch is full, then handed on as a tensor freed after the call.</summary>
    private sealed class Batch(int size, int columns, Action<Tensor> consume)
    {
        private readonly float[] _values = new float[(long)size * columns];
        private int _count;

        public void Add(ReadOnlySpan<float> row)
        {
            row.CopyTo(_values.AsSpan(_count * columns, columns));
            if (++_count == size) Flush();
        }

        public void Flush()
        {
            if (_count == 0) return;
            using (NewDisposeScope()) consume(TensorBuffers.FromRows(_values, _count, columns));
            _count = 0;
        }
    }

    public void Dispose()
    {
    }
}
