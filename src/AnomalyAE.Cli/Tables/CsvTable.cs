using System.Globalization;
using System.Text;
using AnomalyAE.Hosting.Records;

namespace AnomalyAE.Cli.Tables;

/// <summary>
/// A CSV file with a header row, read whole and checked: every problem is reported as one line that names the file,
/// the line and the column.
/// </summary>
internal sealed class CsvTable
{
    private readonly List<int> _lines;

    private CsvTable(string path, string[] header, List<string[]> rows, List<int> lines)
    {
        Path = path;
        Header = header;
        Rows = rows;
        _lines = lines;
    }

    public string Path { get; }
    public string[] Header { get; }
    /// <summary>Data rows (empty lines skipped); <see cref="LineOf"/> gives each one's line in the file.</summary>
    public List<string[]> Rows { get; }

    /// <summary>
    /// Reads a CSV file, or standard input when <paramref name="path"/> is <c>-</c>, with Sep in the dialect of the worker's
    /// inbox: RFC 4180 quotes (a quoted cell may hold commas, "" and line breaks), LF or CRLF, an optional UTF-8 BOM.
    /// </summary>
    public static CsvTable Read(string path)
    {
        bool standardInput = StandardStreams.Is(path);
        if (!standardInput && !File.Exists(path)) throw new CliException($"{path}: file not found.");
        using var reader = standardInput
            ? new StreamReader(Console.OpenStandardInput(), Encoding.UTF8, detectEncodingFromByteOrderMarks: true)
            : new StreamReader(path, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        if (standardInput) path = StandardStreams.InputName;
        using var csv = CsvFormat.Reader(reader);
        string[]? header = null;
        var rows = new List<string[]>();
        var lines = new List<int>();
        foreach (var row in csv)
        {
            if (row.Span.Length == 0) continue; // an empty line
            int lineNumber = row.LineNumberFrom;
            if (CsvFormat.HasUnclosedQuote(row.Span)) throw new CliException($"{path}: line {lineNumber}: a quoted cell is not closed.");
            var cells = new string[row.ColCount];
            for (int c = 0; c < cells.Length; c++) cells[c] = row[c].ToString();
            if (header is null)
            {
                if (cells.All(string.IsNullOrWhiteSpace)) throw new CliException($"{path}: the file is empty; expected a header row of column names.");
                header = [.. cells.Select(h => h.Trim())];
                var duplicate = header.GroupBy(h => h, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1);
                if (duplicate is not null) throw new CliException($"{path}: line {lineNumber}: column '{duplicate.Key}' appears more than once in the header.");
                if (header.Any(string.IsNullOrEmpty)) throw new CliException($"{path}: line {lineNumber}: a header cell is empty; every column needs a name.");
                continue;
            }
            if (cells.Length != header.Length)
                throw new CliException($"{path}: line {lineNumber} has {cells.Length} cells but the header has {header.Length} columns.");
            rows.Add(cells);
            lines.Add(lineNumber);
        }
        if (header is null) throw new CliException($"{path}: the file is empty; expected a header row of column names.");
        if (rows.Count == 0) throw new CliException($"{path}: the file has a header but no data rows.");
        return new CsvTable(path, header, rows, lines);
    }

    /// <summary>The line of the file on which data row <paramref name="row"/> starts.</summary>
    public int LineOf(int row) => _lines[row];

    public int IndexOf(string column, string purpose)
    {
        int index = Array.FindIndex(Header, h => string.Equals(h, column, StringComparison.OrdinalIgnoreCase));
        if (index < 0) throw new CliException($"{Path}: column '{column}' ({purpose}) is missing; the header has: {string.Join(", ", Header)}.");
        return index;
    }

    public bool Has(string column) => Header.Any(h => string.Equals(h, column, StringComparison.OrdinalIgnoreCase));

    /// <summary>The column's cells as numbers; a cell that is not a finite number is reported with its line and column.</summary>
    public float[] Numbers(int column)
    {
        var values = new float[Rows.Count];
        for (int r = 0; r < Rows.Count; r++)
        {
            string cell = Rows[r][column].Trim();
            if (!float.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out values[r]) || !float.IsFinite(values[r]))
                throw new CliException($"{Path}: line {LineOf(r)}, column '{Header[column]}': '{cell}' is not a finite number.");
        }
        return values;
    }
}
