using Microsoft.ML;

namespace AnomalyAE.Series;

/// <summary>
/// The steps of a data view in its row order, read by a cursor; with an order column, a series whose rows go back in time
/// is refused (the message says the fix given).
/// </summary>
internal sealed class DataViewSteps : IStepCursor
{
    private readonly DataViewRowCursor _cursor;
    private readonly SeriesRowReader _reader;
    private readonly string _orderFix;

    public DataViewSteps(IDataView data, SeriesInput input, string orderFix)
    {
        _cursor = data.GetRowCursor(input.Columns);
        _reader = new SeriesRowReader(input, _cursor, new SeriesKeys());
        _orderFix = orderFix;
    }

    public long Row => _cursor.Position;
    public int Series { get; private set; }

    public bool MoveNext()
    {
        if (!_cursor.MoveNext()) return false;
        Series = _reader.ReadSeries();
        _reader.Order?.Advance(Series, _reader.Keys.Name(Series), _cursor.Position, _orderFix);
        return true;
    }

    public string SeriesName(int series) => _reader.Keys.Name(series);
    public void ReadChannels(Span<float> destination) => _reader.ReadChannels(destination);
    public void Dispose() => _cursor.Dispose();
}
