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
    /// <param name="path">The file, or <c>-</c>.</param>
    /// <param name="displayName">The file's name in messages, when it is not <paramref name="path"/> (a copy of standard input).</param>
    public static CsvTable Read(string path, string? displayName = null)
    {
        bool standardInput = StandardStreams.Is(path);
        if (!standardInput && !File.Exists(path)) throw new CliException($"{path}: file not found.");
        using var reader = standardInput
            ? new StreamReader(Console.OpenStandardInput(), Encoding.UTF8, detectEncodingFromByteOrderMarks: true)
            : new StreamReader(path, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        if (standardInput) path = StandardStreams.InputName;
        else if (displayName is not null) path = displayName;
        using var csv = CsvFormat.Reader(reader);
        var header = CsvRows.Header(csv, path);
        var rows = new List<string[]>();
        var lines = new List<int>();
        while (CsvRows.Next(csv, path, out var cells, out int lineNumber))
        {
            CsvRows.CheckWidth(path, header, cells, lineNumber);
            rows.Add(cells);
            lines.Add(lineNumber);
        }
        if (rows.Count == 0) throw new CliException($"{path}: the file has a header but no data rows.");
        return new CsvTable(path, header, rows, lines);
    }

    /// <summary>The line of the file on which data row <paramref name="row"/> starts.</summary>
    public int LineOf(int row) => _lines[row];

    public int IndexOf(string column, string purpose) => CsvRows.IndexOf(Path, Header, column, purpose);

    public bool Has(string column) => Header.Any(h => string.Equals(h, column, StringComparison.OrdinalIgnoreCase));

    /// <summary>The column's cells as numbers; a cell that is not a finite number is reported with its line and column.</summary>
    public float[] Numbers(int column) => Numbers(column, allowMissing: false);

    /// <summary>
    /// A column's cells as finite numbers; with <paramref name="allowMissing"/>, missing cells (empty or NaN, see
    /// <see cref="CsvRows.IsMissing"/>) are NaN: a sequence model's missing steps, which its missing-value handling decides.
    /// </summary>
    public float[] Numbers(int column, bool allowMissing)
    {
        var values = new float[Rows.Count];
        for (int r = 0; r < Rows.Count; r++)
            values[r] = allowMissing && CsvRows.IsMissing(Rows[r][column]) ? float.NaN : CsvRows.Number(Path, Header, Rows[r], column, LineOf(r));
        return values;
    }
}
