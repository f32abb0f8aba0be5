using System.Globalization;
using System.Text;

namespace AnomalyAE.Cli.Tables;

/// <summary>
/// A CSV file with a header row, read whole and checked: every problem is reported as one line that names the file,
/// the line and the column.
/// </summary>
internal sealed class CsvTable
{
    private CsvTable(string path, string[] header, List<string[]> rows)
    {
        Path = path;
        Header = header;
        Rows = rows;
    }

    public string Path { get; }
    public string[] Header { get; }
    /// <summary>Data rows; row i is on line i + 2 of the file.</summary>
    public List<string[]> Rows { get; }

    /// <summary>Reads a CSV file, or standard input when <paramref name="path"/> is <c>-</c>.</summary>
    public static CsvTable Read(string path)
    {
        bool standardInput = StandardStreams.Is(path);
        if (!standardInput && !File.Exists(path)) throw new CliException($"{path}: file not found.");
        using var reader = standardInput
            ? new StreamReader(Console.OpenStandardInput(), Encoding.UTF8, detectEncodingFromByteOrderMarks: true)
            : new StreamReader(path, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        if (standardInput) path = StandardStreams.InputName;
        string? headerLine = reader.ReadLine();
        if (string.IsNullOrWhiteSpace(headerLine)) throw new CliException($"{path}: the file is empty; expected a header row of column names.");
        var header = Split(headerLine, path, 1).Select(h => h.Trim()).ToArray();
        var duplicate = header.GroupBy(h => h, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new CliException($"{path}: line 1: column '{duplicate.Key}' appears more than once in the header.");
        if (header.Any(string.IsNullOrEmpty)) throw new CliException($"{path}: line 1: a header cell is empty; every column needs a name.");

        var rows = new List<string[]>();
        int lineNumber = 1;
        for (string? line = reader.ReadLine(); line is not null; line = reader.ReadLine())
        {
            lineNumber++;
            if (line.Length == 0) continue;
            var cells = Split(line, path, lineNumber);
            if (cells.Length != header.Length)
                throw new CliException($"{path}: line {lineNumber} has {cells.Length} cells but the header has {header.Length} columns.");
            rows.Add(cells);
        }
        if (rows.Count == 0) throw new CliException($"{path}: the file has a header but no data rows.");
        return new CsvTable(path, header, rows);
    }

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
                throw new CliException($"{Path}: line {r + 2}, column '{Header[column]}': '{cell}' is not a finite number.");
        }
        return values;
    }

    private static string[] Split(string line, string path, int lineNumber)
    {
        var cells = new List<string>();
        var cell = new StringBuilder();
        bool quoted = false;
        for (int i = 0; i < line.Length; i++)
        {
            char c = line[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < line.Length && line[i + 1] == '"') { cell.Append('"'); i++; }
                else if (c == '"') quoted = false;
                else cell.Append(c);
            }
            else if (c == '"') quoted = true;
            else if (c == ',') { cells.Add(cell.ToString()); cell.Clear(); }
            else cell.Append(c);
        }
        if (quoted) throw new CliException($"{path}: line {lineNumber}: a quoted cell is not closed.");
        cells.Add(cell.ToString());
        return [.. cells];
    }
}
