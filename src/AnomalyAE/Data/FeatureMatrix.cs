namespace AnomalyAE.Data;

/// <summary>A feature column read once into one contiguous row-major float buffer.</summary>
internal sealed class FeatureMatrix : IFeatureRows
{
    public FeatureMatrix(float[] values, int rows, int columns)
    {
        Values = values;
        Rows = rows;
        Columns = columns;
    }

    public float[] Values { get; }
    public int Rows { get; }
    public int Columns { get; }
    long IFeatureRows.Rows => Rows;

    public ReadOnlySpan<float> Row(int row) => Values.AsSpan(row * Columns, Columns);

    public IEnumerable<RowBlock> Blocks(int blockRows, CancellationToken cancellation)
    {
        var buffer = new float[(long)Math.Min(blockRows, Rows) * Columns];
        for (int start = 0; start < Rows; start += blockRows)
        {
            cancellation.ThrowIfCancellationRequested();
            int count = Math.Min(blockRows, Rows - start);
            Array.Copy(Values, (long)start * Columns, buffer, 0, (long)count * Columns);
            yield return new RowBlock(buffer, start, count);
        }
    }
}
