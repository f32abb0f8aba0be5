using Microsoft.ML;
using Microsoft.ML.Data;

namespace AnomalyAE.Series;

/// <summary>
/// The training windows of time series steps, as a data view of one column: every window of <c>WindowSize</c> steps of a
/// series (no gap inside) whose first step is a multiple of <paramref name="stride"/> steps after the first full window,
/// as a vector of window × channels values, time-major. Lazy: each cursor reads the steps afresh
/// (<paramref name="openSteps"/>), so streamed training passes over the input once per epoch.
/// </summary>
internal sealed class SlidingWindowDataView(Func<IStepCursor> openSteps, SeriesSettings settings, int stride, string columnName) : IDataView
{
    public bool CanShuffle => false;

    public DataViewSchema Schema { get; } = Build(columnName, settings.WindowSize * settings.Channels);

    public long? GetRowCount() => null;

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null) => new Cursor(this, openSteps());

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) => [GetRowCursor(columnsNeeded, rand)];

    private static DataViewSchema Build(string name, int size)
    {
        var builder = new DataViewSchema.Builder();
        builder.AddColumn(name, new VectorDataViewType(NumberDataViewType.Single, size));
        return builder.ToSchema();
    }

    private sealed class Cursor(SlidingWindowDataView view, IStepCursor steps) : DataViewRowCursor
    {
        private readonly SeriesWindows _windows = new(view.WindowSize, view.Channels, view.Missing, view.ChannelSource);
        private readonly float[] _step = new float[view.Channels];
        private readonly float[] _window = new float[view.WindowSize * view.Channels];
        private long _position = -1;

        public override DataViewSchema Schema => view.Schema;
        public override long Position => _position;
        public override long Batch => 0;
        public override bool IsColumnActive(DataViewSchema.Column column) => true;
        public override ValueGetter<DataViewRowId> GetIdGetter() => (ref DataViewRowId id) => id = new DataViewRowId((ulong)_position, 0);

        private long _longest;
        private string _longestSeries = SeriesKeys.OneSeries;
        private bool _ended;

        public override bool MoveNext()
        {
            while (!_ended && steps.MoveNext())
            {
                int series = steps.Series;
                steps.ReadChannels(_step);
                var outcome = _windows.Push(series, _step, steps.Row, steps.SeriesName(series));
                if (outcome != SeriesWindows.Outcome.Gap && _windows.Run(series) > _longest) (_longest, _longestSeries) = (_windows.Run(series), steps.SeriesName(series));
                if (outcome != SeriesWindows.Outcome.Window) continue;
                if ((_windows.Run(series) - view.WindowSize) % view.Stride != 0) continue;
                _windows.CopyWindow(series, _window);
                _position++;
                return true;
            }
            _ended = true;
            if (_position < 0)
                throw new InvalidOperationException($"No series has {view.WindowSize} steps in a row to make a training window: the longest run is {_longest} steps " +
                    $"(series {_longestSeries}). Train on more rows per series, or set a shorter WindowSize.");
            return false;
        }

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            ValueGetter<VBuffer<float>> getter = (ref VBuffer<float> value) =>
            {
                var editor = VBufferEditor.Create(ref value, _window.Length);
                _window.CopyTo(editor.Values);
                value = editor.Commit();
            };
            return getter as ValueGetter<TValue> ?? throw new InvalidOperationException($"Column '{column.Name}' is {column.Type}, not {typeof(TValue).Name}.");
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing) steps.Dispose();
            base.Dispose(disposing);
        }
    }

    private int WindowSize => settings.WindowSize;
    private int Channels => settings.Channels;
    private int Stride => stride;
    private MissingValueHandling Missing => settings.MissingValues;
    private string ChannelSource => settings.ChannelSource;
}
