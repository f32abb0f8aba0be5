using Microsoft.ML;
using Microsoft.ML.Data;

namespace AnomalyAE.Data;

/// <summary>
/// The feature column of an <c>IDataView</c> read through a fresh cursor on every pass: memory holds one block, never
/// the data. Each pass checks that values are finite and that the row count has not changed since the first pass
/// (a source that changes between passes would otherwise train on rows the statistics never saw).
/// </summary>
internal sealed class DataViewFeatureRows : IFeatureRows
{
    private readonly IDataView _data;
    private readonly DataViewSchema.Column _column;
    private readonly string _columnName;

    public DataViewFeatureRows(IDataView data, DataViewSchema.Column column, long rows)
    {
        _data = data;
        _column = column;
        _columnName = column.Name;
        Columns = ((VectorDataViewType)column.Type).Size;
        Rows = rows;
    }

    public int Columns { get; }
    public long Rows { get; }

    public IEnumerable<RowBlock> Blocks(int blockRows, CancellationToken cancellation)
    {
        var buffer = new float[(long)blockRows * Columns];
        VBuffer<float> row = default;
        using var cursor = _data.GetRowCursor([_column]);
        var getter = cursor.GetGetter<VBuffer<float>>(_column);
        long position = 0;
        int count = 0;
        while (cursor.MoveNext())
        {
            if (position == Rows) throw Changed("more");
            getter(ref row);
            var destination = buffer.AsSpan(count * Columns, Columns);
            row.CopyTo(destination);
            RowValues.CheckFinite(destination, position, _columnName);
            position++;
            if (++count < blockRows) continue;
            cancellation.ThrowIfCancellationRequested();
            yield return new RowBlock(buffer, position - count, count);
            count = 0;
        }
        if (position != Rows) throw Changed("fewer");
        if (count > 0) yield return new RowBlock(buffer, position - count, count);
    }

    private InvalidOperationException Changed(string moreOrFewer) => new(
        $"The training data changed between passes: column '{_columnName}' had {Rows} rows on the first pass and {moreOrFewer} on a later one. " +
        "Streamed training reads the data once per epoch, so the IDataView must return the same rows every time it is read (cache or copy a source that changes).");
}
