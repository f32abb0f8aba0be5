using nietras.SeparatedValues;

namespace AnomalyAE.Hosting.Records;

/// <summary>
/// The one CSV dialect of the worker's inbox and the CLI (RFC 4180): ',' separated, a quoted cell may hold commas, ""
/// and line breaks, LF or CRLF, an optional UTF-8 BOM (removed by the caller's reader). Read with Sep; ragged rows and
/// unclosed quotes are reported by the caller with their line.
/// </summary>
internal static class CsvFormat
{
    /// <summary>A reader over <paramref name="text"/> that yields every row, the header included.</summary>
    public static SepReader Reader(TextReader text) =>
        Sep.Reader(o => o with { Sep = Sep.New(','), HasHeader = false, Unescape = true, DisableColCountCheck = true }).From(text);

    /// <summary>True when a row's raw text holds a quote that is never closed.</summary>
    public static bool HasUnclosedQuote(ReadOnlySpan<char> rawRow) => rawRow.Count('"') % 2 != 0;

    /// <summary>Writes one cell, quoted when it holds a separator, quote or line break.</summary>
    public static void WriteCell(TextWriter writer, ReadOnlySpan<char> cell)
    {
        if (cell.IndexOfAny(",\"\n\r") < 0)
        {
            writer.Write(cell);
            return;
        }
        writer.Write('"');
        foreach (char c in cell)
        {
            if (c == '"') writer.Write('"');
            writer.Write(c);
        }
        writer.Write('"');
    }

    /// <summary>Writes one row of cells and a line break.</summary>
    public static void WriteRow(TextWriter writer, IEnumerable<string> cells)
    {
        bool first = true;
        foreach (var cell in cells)
        {
            if (!first) writer.Write(',');
            WriteCell(writer, cell);
            first = false;
        }
        writer.Write('\n');
    }
}
