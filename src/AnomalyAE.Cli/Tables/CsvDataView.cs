using System.Globalization;
using System.Text;
using Microsoft.ML;
using Microsoft.ML.Data;
using AnomalyAE.Hosting.Records;
using nietras.SeparatedValues;

namespace AnomalyAE.Cli.Tables;

/// <summary>
/// A CSV file as a streaming <see cref="IDataView"/>: every cursor is one pass over the file with Sep, holding one row
/// at a time, so training and scoring never load the file. The dialect and the messages are <see cref="CsvTable"/>'s
/// (file, line and column named). Feature and label columns are Single, the id column Text; on request a
/// <see cref="CellsColumn"/> carries each row's cells as read, for output that repeats the input.
/// Standard input (<c>-</c>) is first copied to a temporary file (deleted when the view is disposed), since training
/// reads the data several times and scoring reads it with two cursors at once.
/// </summary>
internal sealed class CsvDataView : IDataView, IDisposable
{
    /// <summary>The column holding each row's cells, as text, when asked for.</summary>
    public const string CellsColumn = "#cells";

    private readonly int[] _featureIndices;
    private readonly int _labelIndex, _idIndex;
    private readonly bool _cells;
    // The copy of standard input this view owns and deletes; null for a file, and for views made by WithColumns.
    private readonly string? _spool;
    // The first data row's cells, which decide an order column's type.
    private readonly string[] _first;
    private readonly SeriesColumns? _series;
    // The role of each schema column, by index.
    private readonly Role[] _roles;

    private enum Role { Feature, Label, Id, Series, Order, Cells }

    private CsvDataView(string file, string displayName, string[] header, string[] first, string[] features, string? label, string? id, bool cells, string? spool,
        SeriesColumns? series = null)
    {
        _path = file;
        _spool = spool;
        _first = first;
        _series = series;
        Path = displayName;
        Header = header;
        _featureIndices = [.. features.Select(f => IndexOf(f, "feature"))];
        _labelIndex = label is null ? -1 : IndexOf(label, "label");
        _idIndex = id is null ? -1 : IndexOf(id, "id");
        _cells = cells;
        var schema = new DataViewSchema.Builder();
        var roles = new List<Role>();
        void Add(string name, DataViewType type, Role role) { schema.AddColumn(name, type); roles.Add(role); }
        foreach (int i in _featureIndices) Add(header[i], NumberDataViewType.Single, Role.Feature);
        if (_labelIndex >= 0) Add(header[_labelIndex], NumberDataViewType.Single, Role.Label);
        if (_idIndex >= 0) Add(header[_idIndex], TextDataViewType.Instance, Role.Id);
        if (series?.SeriesIndex is int s) Add(header[s], TextDataViewType.Instance, Role.Series);
        if (series?.OrderIndex is int o) Add(header[o], series.OrderType, Role.Order);
        if (cells) Add(CellsColumn, new VectorDataViewType(TextDataViewType.Instance, header.Length), Role.Cells);
        Schema = schema.ToSchema();
        _roles = [.. roles];
    }

    /// <summary>
    /// The series and order columns of a time series file: the series column as Text, the order column as a number (Double),
    /// a date and time (parsed as UTC) or Text, by what its first cell holds; and whether feature cells may be missing
    /// (empty or NaN: the sequence model's missing-value handling decides).
    /// </summary>
    public sealed record SeriesColumns(int? SeriesIndex, int? OrderIndex, DataViewType OrderType, bool AllowMissing);

    // The file read (a copy of standard input for -).
    private readonly string _path;

    /// <summary>The file read: the file itself, or the copy of standard input.</summary>
    public string FilePath => _path;

    /// <summary>The file's name in messages (<c>standard input</c> for <c>-</c>).</summary>
    public string Path { get; }
    public string[] Header { get; }
    public DataViewSchema Schema { get; }
    public bool CanShuffle => false;
    public long? GetRowCount() => null;

    /// <summary>
    /// Reads the header (and checks that a data row follows) of <paramref name="path"/>; the view has no columns yet
    /// (see <see cref="WithColumns"/>).
    /// </summary>
    public static CsvDataView Open(string path)
    {
        string? spool = null;
        string name = path;
        if (StandardStreams.Is(path))
        {
            spool = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"anomalyae-stdin-{Guid.NewGuid():N}.csv");
            using (var input = Console.OpenStandardInput())
            using (var copy = File.Create(spool))
                input.CopyTo(copy);
            path = spool;
            name = StandardStreams.InputName;
        }
        else if (!File.Exists(path)) throw new CliException($"{path}: file not found.");
        try
        {
            using var opened = OpenedReader.Open(path);
            var header = CsvRows.Header(opened.Reader, name);
            if (!CsvRows.Next(opened.Reader, name, out var first, out _)) throw new CliException($"{name}: the file has a header but no data rows.");
            return new CsvDataView(path, name, header, first, [], null, null, false, spool);
        }
        catch when (spool is not null)
        {
            File.Delete(spool);
            throw;
        }
    }

    /// <summary>Deletes the copy of standard input, if this view made one.</summary>
    public void Dispose()
    {
        if (_spool is not null) File.Delete(_spool);
    }

    /// <summary>A view of the same file with these feature, label and id columns (names as in the header, any case), and the cells column on request.</summary>
    public CsvDataView WithColumns(IEnumerable<string> features, string? label, string? id, bool cells = false) =>
        new(_path, Path, Header, _first, [.. features], label, id, cells, spool: null);

    /// <summary>
    /// As <see cref="WithColumns(IEnumerable{string}, string?, string?, bool)"/>, plus a time series' series column (Text) and
    /// order column (a number, a date and time, or Text, by its first cell); feature cells may be missing when
    /// <paramref name="allowMissing"/>.
    /// </summary>
    public CsvDataView WithSeriesColumns(IEnumerable<string> features, string? label, string? id, string? series, string? order, bool allowMissing, bool cells = false)
    {
        int? seriesIndex = series is null ? null : IndexOf(series, "series");
        int? orderIndex = order is null ? null : IndexOf(order, "order");
        DataViewType orderType = TextDataViewType.Instance;
        if (orderIndex is int o)
        {
            string cell = _first.Length > o ? _first[o].Trim() : "";
            orderType = double.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out _) ? NumberDataViewType.Double
                : DateTime.TryParse(cell, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out _) ? DateTimeDataViewType.Instance
                : TextDataViewType.Instance;
        }
        return new(_path, Path, Header, _first, [.. features], label, id, cells, spool: null, new SeriesColumns(seriesIndex, orderIndex, orderType, allowMissing));
    }

    public int IndexOf(string column, string purpose) => CsvRows.IndexOf(Path, Header, column, purpose);

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
    {
        var file = OpenedReader.Open(_path);
        CsvRows.Header(file.Reader, Path);
        return new Cursor(this, file);
    }

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
        [GetRowCursor(columnsNeeded, rand)];

    /// <summary>
    /// Runs <paramref name="read"/>, which reads CSV views through ML.NET: a problem in the file found on one of ML.NET's
    /// worker threads (which wraps it, e.g. "Splitter/consolidator worker encountered exception") comes out as the
    /// file's own one-line <see cref="CliException"/>.
    /// </summary>
    public static T Reporting<T>(Func<T> read)
    {
        try
        {
            return read();
        }
        catch (Exception e) when (e is not CliException && Inner<CliException>(e) is { } problem)
        {
            throw problem;
        }
    }

    private static T? Inner<T>(Exception? e) where T : Exception
    {
        for (; e is not null; e = e.InnerException)
        {
            if (e is T found) return found;
            if (e is AggregateException aggregate)
                foreach (var inner in aggregate.InnerExceptions)
                    if (Inner<T>(inner) is { } nested) return nested;
        }
        return null;
    }

    /// <summary>A Sep reader over a file, in <see cref="CsvTable"/>'s dialect, with the text reader under it.</summary>
    private sealed class OpenedReader(SepReader reader, TextReader text) : IDisposable
    {
        public SepReader Reader { get; } = reader;

        public static OpenedReader Open(string path)
        {
            TextReader text = new StreamReader(path, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
            return new OpenedReader(CsvFormat.Reader(text), text);
        }

        public void Dispose()
        {
            Reader.Dispose();
            text.Dispose();
        }
    }

    /// <summary>One pass over the file: parses and checks each row as it is reached.</summary>
    private sealed class Cursor : DataViewRowCursor
    {
        private readonly CsvDataView _view;
        private readonly OpenedReader _opened;
        private readonly SepReader _reader;
        private readonly float[] _features;
        private string[] _cells = [];
        private float _label;
        private double _orderNumber;
        private DateTime _orderTime;
        private long _position = -1;

        /// <param name="view">The view.</param>
        /// <param name="opened">The file, positioned after its header.</param>
        public Cursor(CsvDataView view, OpenedReader opened)
        {
            _view = view;
            _opened = opened;
            _reader = opened.Reader;
            _features = new float[view._featureIndices.Length];
        }

        public override DataViewSchema Schema => _view.Schema;
        public override long Position => _position;
        public override long Batch => 0;
        public override bool IsColumnActive(DataViewSchema.Column column) => true;

        public override bool MoveNext()
        {
            if (!CsvRows.Next(_reader, _view.Path, out var cells, out int line))
            {
                if (_position < 0) throw new CliException($"{_view.Path}: the file has a header but no data rows.");
                return false;
            }
            CsvRows.CheckWidth(_view.Path, _view.Header, cells, line);
            bool missing = _view._series?.AllowMissing == true;
            for (int f = 0; f < _features.Length; f++)
                _features[f] = missing && CsvRows.IsMissing(cells[_view._featureIndices[f]]) ? float.NaN : CsvRows.Number(_view.Path, _view.Header, cells, _view._featureIndices[f], line);
            if (_view._labelIndex >= 0) _label = CsvRows.Number(_view.Path, _view.Header, cells, _view._labelIndex, line);
            if (_view._series is { OrderIndex: int order } series)
            {
                string cell = cells[order].Trim();
                if (series.OrderType is NumberDataViewType && !double.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out _orderNumber))
                    throw new CliException($"{_view.Path}: line {line}, column '{_view.Header[order]}': '{cell}' is not a number, as the order column's first cell was.");
                if (series.OrderType is DateTimeDataViewType && !DateTime.TryParse(cell, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out _orderTime))
                    throw new CliException($"{_view.Path}: line {line}, column '{_view.Header[order]}': '{cell}' is not a date and time, as the order column's first cell was.");
            }
            _cells = cells;
            _position++;
            return true;
        }

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            int f = column.Index;
            Delegate getter = _view._roles[column.Index] switch
            {
                Role.Feature => (ValueGetter<float>)((ref float value) => value = _features[f]),
                Role.Cells => (ValueGetter<VBuffer<ReadOnlyMemory<char>>>)((ref VBuffer<ReadOnlyMemory<char>> value) =>
                {
                    var editor = VBufferEditor.Create(ref value, _cells.Length);
                    for (int i = 0; i < _cells.Length; i++) editor.Values[i] = _cells[i].AsMemory();
                    value = editor.Commit();
                }),
                Role.Id => (ValueGetter<ReadOnlyMemory<char>>)((ref ReadOnlyMemory<char> value) => value = _cells[_view._idIndex].AsMemory()),
                Role.Series => (ValueGetter<ReadOnlyMemory<char>>)((ref ReadOnlyMemory<char> value) => value = _cells[_view._series!.SeriesIndex!.Value].AsMemory()),
                Role.Order when column.Type is NumberDataViewType => (ValueGetter<double>)((ref double value) => value = _orderNumber),
                Role.Order when column.Type is DateTimeDataViewType => (ValueGetter<DateTime>)((ref DateTime value) => value = _orderTime),
                Role.Order => (ValueGetter<ReadOnlyMemory<char>>)((ref ReadOnlyMemory<char> value) => value = _cells[_view._series!.OrderIndex!.Value].Trim().AsMemory()),
                _ => (ValueGetter<float>)((ref float value) => value = _label),
            };
            return getter as ValueGetter<TValue> ?? throw new InvalidOperationException($"Column '{column.Name}' is {column.Type}, not {typeof(TValue).Name}.");
        }

        public override ValueGetter<DataViewRowId> GetIdGetter() => (ref DataViewRowId id) => id = new DataViewRowId((ulong)_position, 0);

        protected override void Dispose(bool disposing)
        {
            if (disposing) _opened.Dispose();
            base.Dispose(disposing);
        }
    }
}
