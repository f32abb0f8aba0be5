using Microsoft.ML;
using Microsoft.ML.Data;

namespace AnomalyAE.Series;

/// <summary>Reads the current row of a cursor for a sequence stage: its channel values, its series, and its order value.</summary>
internal sealed class SeriesRowReader
{
    private readonly Func<int> _series;
    private readonly ValueGetter<VBuffer<float>>? _vector;
    private readonly ValueGetter<float>[] _singles;
    private VBuffer<float> _buffer;

    public SeriesRowReader(SeriesInput input, DataViewRow row, SeriesKeys keys)
    {
        Input = input;
        Keys = keys;
        _series = keys.Reader(row, input.SeriesColumn);
        Order = input.OrderColumn is { } order ? new OrderReader(row, order) : null;
        var first = input.ChannelColumns[0];
        if (input.Settings.ChannelColumnNames is null && first.Type is VectorDataViewType)
        {
            _vector = row.GetGetter<VBuffer<float>>(first);
            _singles = [];
        }
        else _singles = [.. input.ChannelColumns.Select(c => row.GetGetter<float>(c))];
    }

    public SeriesInput Input { get; }
    public SeriesKeys Keys { get; }
    /// <summary>The order column's reader, or null without one.</summary>
    public OrderReader? Order { get; }

    /// <summary>The current row's series index.</summary>
    public int ReadSeries() => _series();

    /// <summary>Copies the current row's channels into <paramref name="destination"/> (<see cref="SeriesInput.Channels"/> values).</summary>
    public void ReadChannels(Span<float> destination)
    {
        if (_vector is not null)
        {
            _vector(ref _buffer);
            if (_buffer.Length != destination.Length)
                throw new InvalidOperationException($"Column '{Input.ChannelColumns[0].Name}' has {_buffer.Length} values in a row, but the model reads {destination.Length}.");
            _buffer.CopyTo(destination);
            return;
        }
        for (int i = 0; i < _singles.Length; i++) _singles[i](ref destination[i]);
    }
}
