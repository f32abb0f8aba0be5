namespace AnomalyAE.Data;

/// <summary>
/// Consecutive rows of a feature column: <see cref="Count"/> rows laid out row-major at the start of
/// <see cref="Values"/>, the first of them at position <see cref="Start"/> of the data. The buffer is reused by the next block.
/// </summary>
internal readonly record struct RowBlock(float[] Values, long Start, int Count);

/// <summary>
/// The training features as something that can be read in order, block after block: the seam between the in-memory
/// path (a <see cref="FeatureMatrix"/>) and the streamed path (a cursor over the <c>IDataView</c>, see
/// <see cref="DataViewFeatureRows"/>). Every reader of the training rows after the first pass (the trainer, the
/// fit-time scoring) goes through it.
/// </summary>
internal interface IFeatureRows
{
    int Columns { get; }

    /// <summary>Number of rows (known once the first pass has counted them).</summary>
    long Rows { get; }

    /// <summary>One pass over every row in order, in blocks of at most <paramref name="blockRows"/> rows; checks cancellation between blocks.</summary>
    IEnumerable<RowBlock> Blocks(int blockRows, CancellationToken cancellation);
}
