using System.Globalization;
using System.Text;
using System.Text.Json;
using AnomalyAE.Hosting.Records;

namespace AnomalyAE.Hosting.Channels.Inbox;

/// <summary>
/// The records of a claimed file: CSV with a header (RFC 4180 through Sep, the parser the CLI uses too) or JSON lines
/// (one object per line). A record that cannot be read is kept with the reason and its line, to be dead-lettered.
/// </summary>
internal static class RecordFileParser
{
    /// <summary>The records of <paramref name="bytes"/>, read as CSV or JSON lines by the extension of <paramref name="path"/>.</summary>
    public static TextRecords Parse(string path, byte[] bytes, string idField) =>
        InboxFolders.IsCsv(path) ? ReadCsv(bytes, idField) : ReadJsonLines(bytes, idField);

    /// <summary>
    /// RFC 4180 CSV through Sep: quoted cells may hold commas, quotes ("") and line breaks; LF or CRLF; a UTF-8 BOM is
    /// ignored. A row with another cell count than the header, or an unclosed quote, is dead-lettered with its line number.
    /// </summary>
    private static TextRecords ReadCsv(byte[] bytes, string idField)
    {
        using var text = new StringReader(Text(bytes));
        using var csv = CsvFormat.Reader(text);
        TextRecords? records = null;
        foreach (var row in csv)
        {
            if (row.Span.Length == 0) continue; // an empty line
            int line = row.LineNumberFrom;
            if (records is null)
            {
                var header = new string[row.ColCount];
                for (int c = 0; c < header.Length; c++) header[c] = row[c].ToString().Trim();
                records = TextRecords.WithHeader(header, idField);
                continue;
            }
            records.Begin(line);
            if (CsvFormat.HasUnclosedQuote(row.Span)) records.End($"line {line} has a quoted cell that is not closed");
            else if (row.ColCount != records.Columns) records.End($"line {line} has {row.ColCount} cells; the header has {records.Columns}");
            else
            {
                for (int c = 0; c < row.ColCount; c++) records.AddCell(row[c].Span);
                records.End();
            }
        }
        return records ?? TextRecords.WithHeader([], idField);
    }

    private static TextRecords ReadJsonLines(byte[] bytes, string idField)
    {
        var records = TextRecords.SelfNamed(idField);
        int number = 0;
        using var reader = new StringReader(Text(bytes));
        for (string? text = reader.ReadLine(); text is not null; text = reader.ReadLine())
        {
            number++;
            if (string.IsNullOrWhiteSpace(text)) continue;
            records.Begin(number);
            try
            {
                using var document = JsonDocument.Parse(text);
                foreach (var property in document.RootElement.EnumerateObject())
                {
                    records.AddCell(property.Name);
                    records.AddCell(property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString() : property.Value.GetRawText());
                }
                records.End();
            }
            catch (Exception e) when (e is JsonException or InvalidOperationException)
            {
                records.End($"line {number.ToString(CultureInfo.InvariantCulture)} is not a JSON object: {e.Message}");
            }
        }
        return records;
    }

    /// <summary>UTF-8 text (a BOM, if any, removed).</summary>
    private static string Text(byte[] bytes)
    {
        using var reader = new StreamReader(new MemoryStream(bytes), Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        return reader.ReadToEnd();
    }
}
