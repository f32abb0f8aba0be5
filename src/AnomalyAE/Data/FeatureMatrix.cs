using Microsoft.ML;
using Microsoft.ML.Data;

namespace AnomalyAE.Data;

/// <summary>A feature column read once into one contiguous row-major float buffer.</summary>
internal sealed class FeatureMatrix
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

    public ReadOnlySpan<float> Row(int row) => Values.AsSpan(row * Columns, Columns);

    /// <summary>Reads every row of <paramref name="columnName"/>; rejects missing or non-finite values with the row and slot.</summary>
    public static FeatureMatrix Read(IDataView data, string columnName, CancellationToken cancellation = default)
    {
        var column = FeatureColumn.Find(data.Schema, columnName, expectedSize: null);
        int columns = ((VectorDataViewType)column.Type).Size;
        long? knownRows = data.GetRowCount();
        var values = new float[checked((int)Math.Min((knownRows ?? 1024) * columns, Array.MaxLength))];
        int rows = 0;
        VBuffer<float> row = default;
        using var cursor = data.GetRowCursor([column]);
        var getter = cursor.GetGetter<VBuffer<float>>(column);
        while (cursor.MoveNext())
        {
            if ((rows & 1023) == 0) cancellation.ThrowIfCancellationRequested();
            getter(ref row);
            if ((long)(rows + 1) * columns > values.Length)
                Array.Resize(ref values, checked((int)Math.Min(Math.Max(values.Length * 2L, (rows + 1L) * columns), Array.MaxLength)));
            var destination = values.AsSpan(rows * columns, columns);
            row.CopyTo(destination);
            RowValues.CheckFinite(destination, rows, columnName);
            rows++;
        }
        if (rows == 0)
            throw new InvalidOperationException($"The training data has no rows in column '{columnName}'. An autoencoder needs rows to learn from; check upstream filters.");
        if ((long)rows * columns != values.Length) Array.Resize(ref values, rows * columns);
        return new FeatureMatrix(values, rows, columns);
    }
}
