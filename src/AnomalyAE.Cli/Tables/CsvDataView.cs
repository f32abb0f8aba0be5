using System.Globalization;
using System.Text;
using Microsoft.ML;
using Microsoft.ML.Data;
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

    private CsvDataView(string file, string displayName, string[] header, string[] features, string? label, string? id, bool cells, string? spool)
    {
        _path = file;
        _spool = spool;
        Path = displayName;
        Header = header;
        _featureIndices = [.. features.Select(f => IndexOf(f, "feature"))];
        _labelIndex = label is null ? -1 : IndexOf(label, "label");
        _idIndex = id is null ? -1 : IndexOf(id, "id");
        _cells = cells;
        var schema = new DataViewSchema.Builder();
        foreach (int i in _featureIndices) schema.AddColumn(header[i], NumberDataViewType.Single);
        if (_labelIndex >= 0) schema.AddColumn(header[_labelIndex], NumberDataViewType.Single);
        if (_idIndex >= 0) schema.AddColumn(header[_idIndex], TextDataViewType.Instance);
        if (cells) schema.AddColumn(CellsColumn, new VectorDataViewType(TextDataViewType.Instance, header.Length));
        Schema = schema.ToSchema();
    }

    // The file read (a copy of standard input for -).
    private readonly string _path;

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
            var header = ReadHeader(opened.Reader, name);
            if (!NextRow(opened.Reader, out _)) throw new CliException($"{name}: the file has a header but no data rows.");
            return new CsvDataView(path, name, header, [], null, null, false, spool);
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
        new(_path, Path, Header, [.. features], label, id, cells, spool: null);

    public int IndexOf(string column, string purpose) => IndexOf(Path, Header, column, purpose);

    /// <summary>The index of <paramref name="column"/> in <paramref name="header"/> (any case); a missing column is reported with the header.</summary>
    public static int IndexOf(string path, string[] header, string column, string purpose)
    {
        int index = Array.FindIndex(header, h => string.Equals(h, column, StringComparison.OrdinalIgnoreCase));
        if (index < 0) throw new CliException($"{path}: column '{column}' ({purpose}) is missing; the header has: {string.Join(", ", header)}.");
        return index;
    }

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
    {
        var file = OpenedReader.Open(_path);
        ReadHeader(file.Reader, Path);
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
            return new OpenedReader(Sep.Reader(o => o with { Sep = Sep.New(','), HasHeader = false, Unescape = true, DisableColCountCheck = true }).From(text), text);
        }

        public void Dispose()
        {
            Reader.Dispose();
            text.Dispose();
        }
    }

    /// <summary>The next non-empty row's cells and line; false at the end of the file.</summary>
    private static bool NextRow(SepReader reader, out (string[] Cells, int Line) row, string? path = null)
    {
        while (reader.MoveNext())
        {
            var current = reader.Current;
            if (current.Span.Length == 0) continue; // an empty line
            int line = current.LineNumberFrom;
            if (path is not null && current.Span.Count('"') % 2 != 0) throw new CliException($"{path}: line {line}: a quoted cell is not closed.");
            var cells = new string[current.ColCount];
            for (int c = 0; c < cells.Length; c++) cells[c] = current[c].ToString();
            row = (cells, line);
            return true;
        }
        row = default;
        return false;
    }

    private static string[] ReadHeader(SepReader reader, string path)
    {
        if (!NextRow(reader, out var row, path) || row.Cells.All(string.IsNullOrWhiteSpace))
            throw new CliException($"{path}: the file is empty; expected a header row of column names.");
        var header = row.Cells.Select(h => h.Trim()).ToArray();
        var duplicate = header.GroupBy(h => h, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new CliException($"{path}: line {row.Line}: column '{duplicate.Key}' appears more than once in the header.");
        if (header.Any(string.IsNullOrEmpty)) throw new CliException($"{path}: line {row.Line}: a header cell is empty; every column needs a name.");
        return header;
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
            if (!NextRow(_reader, out var row, _view.Path))
            {
                if (_position < 0) throw new CliException($"{_view.Path}: the file has a header but no data rows.");
                return false;
            }
            if (row.Cells.Length != _view.Header.Length)
                throw new CliException($"{_view.Path}: line {row.Line} has {row.Cells.Length} cells but the header has {_view.Header.Length} columns.");
            for (int f = 0; f < _features.Length; f++) _features[f] = Number(row, _view._featureIndices[f]);
            if (_view._labelIndex >= 0) _label = Number(row, _view._labelIndex);
            _cells = row.Cells;
            _position++;
            return true;
        }

        private float Number((string[] Cells, int Line) row, int column)
        {
            string cell = row.Cells[column].Trim();
            if (!float.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out float value) || !float.IsFinite(value))
                throw new CliException($"{_view.Path}: line {row.Line}, column '{_view.Header[column]}': '{cell}' is not a finite number.");
            return value;
        }

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            int features = _view._featureIndices.Length;
            Delegate getter;
            if (column.Index < features)
            {
                int f = column.Index;
                getter = (ValueGetter<float>)((ref float value) => value = _features[f]);
            }
            else if (column.Name == CellsColumn && _view._cells)
                getter = (ValueGetter<VBuffer<ReadOnlyMemory<char>>>)((ref VBuffer<ReadOnlyMemory<char>> value) =>
                {
                    var editor = VBufferEditor.Create(ref value, _cells.Length);
                    for (int i = 0; i < _cells.Length; i++) editor.Values[i] = _cells[i].AsMemory();
                    value = editor.Commit();
                });
            else if (column.Type is TextDataViewType)
                getter = (ValueGetter<ReadOnlyMemory<char>>)((ref ReadOnlyMemory<char> value) => value = _cells[_view._idIndex].AsMemory());
            else
                getter = (ValueGetter<float>)((ref float value) => value = _label);
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
