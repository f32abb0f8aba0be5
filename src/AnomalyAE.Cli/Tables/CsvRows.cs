using System.Globalization;
using AnomalyAE.Hosting.Records;
using nietras.SeparatedValues;

namespace AnomalyAE.Cli.Tables;

/// <summary>
/// The checked reading of CSV rows shared by <see cref="CsvTable"/> (a file read whole) and <see cref="CsvDataView"/>
/// (a file streamed): the header rules, the row rules and their messages, each naming the file, the line and the column.
/// </summary>
internal static class CsvRows
{
    /// <summary>The next non-empty row's cells and line; false at the end of the file. An unclosed quote is reported.</summary>
    public static bool Next(SepReader reader, string path, out string[] cells, out int line)
    {
        while (reader.MoveNext())
        {
            var row = reader.Current;
            if (row.Span.Length == 0) continue; // an empty line
            line = row.LineNumberFrom;
            if (CsvFormat.HasUnclosedQuote(row.Span)) throw new CliException($"{path}: line {line}: a quoted cell is not closed.");
            cells = new string[row.ColCount];
            for (int c = 0; c < cells.Length; c++) cells[c] = row[c].ToString();
            return true;
        }
        (cells, line) = ([], 0);
        return false;
    }

    /// <summary>The header: the first non-empty row, its names trimmed, none empty, none twice (any case).</summary>
    public static string[] Header(SepReader reader, string path)
    {
        if (!Next(reader, path, out var cells, out int line) || cells.All(string.IsNullOrWhiteSpace))
            throw new CliException($"{path}: the file is empty; expected a header row of column names.");
        var header = cells.Select(h => h.Trim()).ToArray();
        var duplicate = header.GroupBy(h => h, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new CliException($"{path}: line {line}: column '{duplicate.Key}' appears more than once in the header.");
        if (header.Any(string.IsNullOrEmpty)) throw new CliException($"{path}: line {line}: a header cell is empty; every column needs a name.");
        return header;
    }

    /// <summary>Reports a data row whose cell count differs from the header's.</summary>
    public static void CheckWidth(string path, string[] header, string[] cells, int line)
    {
        if (cells.Length != header.Length)
            throw new CliException($"{path}: line {line} has {cells.Length} cells but the header has {header.Length} columns.");
    }

    /// <summary>The index of <paramref name="column"/> in <paramref name="header"/> (any case); a missing column is reported with the header.</summary>
    public static int IndexOf(string path, string[] header, string column, string purpose)
    {
        int index = Array.FindIndex(header, h => string.Equals(h, column, StringComparison.OrdinalIgnoreCase));
        if (index < 0) throw new CliException($"{path}: column '{column}' ({purpose}) is missing; the header has: {string.Join(", ", header)}.");
        return index;
    }

    /// <summary>True for a cell that holds no value: empty, or NaN (a time series' missing step).</summary>
    public static bool IsMissing(string cell) => cell.Trim() is "" or "NaN" or "nan" or "NA";

    /// <summary>A cell as a finite number; anything else is reported with its line and column.</summary>
    public static float Number(string path, string[] header, string[] cells, int column, int line)
    {
        string cell = cells[column].Trim();
        if (!float.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out float value) || !float.IsFinite(value))
            throw new CliException($"{path}: line {line}, column '{header[column]}': '{cell}' is not a finite number.");
        return value;
    }
}
