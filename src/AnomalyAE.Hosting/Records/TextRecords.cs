using System.Globalization;

namespace AnomalyAE.Hosting.Records;

/// <summary>
/// The records of one text file (CSV or JSON lines) in one character arena plus cell offsets: no string, array or
/// dictionary per record. CSV records share the header's names; a JSON-lines record stores its own member names as
/// cells too (name, value, name, value, …). <see cref="Slice"/> hands a range of records to the scorer.
/// </summary>
internal sealed class TextRecords
{
    private readonly string _idField;
    private readonly string[]? _header;
    private readonly int _idColumn = -1;
    private char[] _chars = new char[1 << 12];
    private int _length;
    private readonly GrowableInts _cellStart = new(), _cellLength = new();
    private readonly GrowableInts _firstCell = new(), _cellCount = new(), _line = new();
    private readonly List<(int Record, string Problem)> _problems = [];
    private int _openFirstCell = -1;

    private TextRecords(string idField, string[]? header)
    {
        _idField = idField;
        _header = header;
        if (header is not null) _idColumn = Array.FindIndex(header, h => string.Equals(h, idField, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>A store for CSV rows under <paramref name="header"/>.</summary>
    public static TextRecords WithHeader(string[] header, string idField) => new(idField, header);

    /// <summary>A store for records that name their own fields (JSON lines).</summary>
    public static TextRecords SelfNamed(string idField) => new(idField, null);

    public int Count => _firstCell.Count;

    /// <summary>Cells per CSV row (the header's); 0 for self-named records.</summary>
    public int Columns => _header?.Length ?? 0;

    /// <summary>The line of the file the record starts on.</summary>
    public int Line(int record) => _line[record];

    public void Begin(int line)
    {
        _openFirstCell = _cellStart.Count;
        _line.Add(line);
    }

    public void AddCell(ReadOnlySpan<char> text)
    {
        if (_length + text.Length > _chars.Length) Array.Resize(ref _chars, Math.Max(_chars.Length * 2, _length + text.Length));
        text.CopyTo(_chars.AsSpan(_length));
        _cellStart.Add(_length);
        _cellLength.Add(text.Length);
        _length += text.Length;
    }

    /// <summary>Closes the record begun last; a <paramref name="problem"/> marks it unusable (its cells are dropped).</summary>
    public void End(string? problem = null)
    {
        int cells = _cellStart.Count - _openFirstCell;
        if (problem is not null)
        {
            _problems.Add((Count, problem));
            cells = 0;
        }
        _firstCell.Add(_openFirstCell);
        _cellCount.Add(cells);
    }

    /// <summary>Records <paramref name="start"/> … start + count − 1 as a batch, with where they sit in their file (for a sequence model's windows).</summary>
    public RecordBatch Slice(int start, int count, ISeriesHistory? history = null) => new Window(this, start, count, history);

    private ReadOnlySpan<char> Cell(int cell) => _chars.AsSpan(_cellStart[cell], _cellLength[cell]);

    private string? ProblemOf(int record)
    {
        // Problems are few and added in record order: a binary search finds one.
        int low = 0, high = _problems.Count - 1;
        while (low <= high)
        {
            int middle = (low + high) / 2;
            int at = _problems[middle].Record;
            if (at == record) return _problems[middle].Problem;
            if (at < record) low = middle + 1;
            else high = middle - 1;
        }
        return null;
    }

    /// <summary>The record's id field, or <c>line-N</c> when it has none.</summary>
    public string IdOf(int record)
    {
        int first = _firstCell[record], count = _cellCount[record];
        if (_header is not null)
        {
            if (_idColumn >= 0 && _idColumn < count) return Cell(first + _idColumn).ToString();
        }
        else
        {
            for (int c = 0; c + 1 < count; c += 2)
                if (Cell(first + c).Equals(_idField, StringComparison.OrdinalIgnoreCase)) return Cell(first + c + 1).ToString();
        }
        return "line-" + _line[record].ToString(CultureInfo.InvariantCulture);
    }

    private sealed class Window(TextRecords store, int start, int count, ISeriesHistory? history) : RecordBatch
    {
        public override ISeriesHistory? History => history;

        private string[]? _locatedNames;
        private int[] _headerPositions = [];

        public override int Count => count;
        public override string Id(int record) => store.IdOf(start + record);
        public override string? Problem(int record) => store.ProblemOf(start + record);

        public override void Locate(int record, string[] names, Span<int> positions)
        {
            int first = store._firstCell[start + record], cells = store._cellCount[start + record];
            if (store._header is { } header)
            {
                // One shape for the whole file: found once per model.
                if (!ReferenceEquals(_locatedNames, names))
                {
                    _headerPositions = [.. names.Select(n => Array.FindIndex(header, h => string.Equals(h, n, StringComparison.OrdinalIgnoreCase)))];
                    _locatedNames = names;
                }
                _headerPositions.CopyTo(positions);
                return;
            }
            for (int i = 0; i < names.Length; i++)
            {
                positions[i] = -1;
                for (int c = 0; c + 1 < cells; c += 2)
                    if (store.Cell(first + c).Equals(names[i], StringComparison.OrdinalIgnoreCase)) positions[i] = c + 1;
            }
        }

        public override bool TryReadSingle(int record, int position, out float value) =>
            float.TryParse(store.Cell(store._firstCell[start + record] + position), NumberStyles.Float, CultureInfo.InvariantCulture, out value) && float.IsFinite(value);

        public override string Text(int record, int position) => store.Cell(store._firstCell[start + record] + position).ToString();

        public override IEnumerable<(string Name, string Value)> Fields(int record)
        {
            int first = store._firstCell[start + record], cells = store._cellCount[start + record];
            if (store._header is { } header)
            {
                for (int c = 0; c < Math.Min(cells, header.Length); c++) yield return (header[c], store.Cell(first + c).ToString());
            }
            else
            {
                for (int c = 0; c + 1 < cells; c += 2) yield return (store.Cell(first + c).ToString(), store.Cell(first + c + 1).ToString());
            }
        }
    }

    /// <summary>A growable int array (List&lt;int&gt; with a cheaper indexer).</summary>
    private sealed class GrowableInts
    {
        private int[] _items = new int[256];

        public int Count { get; private set; }

        public int this[int index] => _items[index];

        public void Add(int value)
        {
            if (Count == _items.Length) Array.Resize(ref _items, _items.Length * 2);
            _items[Count++] = value;
        }
    }
}
