using System.Globalization;
using System.Text;
using System.Text.Json;
using AnomalyAE.Hosting.Records;

namespace AnomalyAE.Hosting.Channels.Inbox;

/// <summary>What one <see cref="RecordFileParser.Parse"/> call read: the records, and how many bytes and line breaks they took.</summary>
internal readonly record struct ParsedPiece(TextRecords Records, int Bytes, int Lines);

/// <summary>
/// Reads a claimed file's records piece by piece while it grows: CSV with a header (RFC 4180 through Sep, the parser the
/// CLI uses too) or JSON lines (one object per line). A piece ends after the last complete record, one whose line break
/// is outside quotes, so a record still being written (a last line without its line break, a quoted cell still open) is
/// left for the next piece; the file's last piece, once it is known to be complete, takes every byte. A record that
/// cannot be read is kept with the reason and its line, to be dead-lettered.
/// </summary>
internal abstract class RecordFileParser
{
    private static readonly byte[] ByteOrderMark = [0xEF, 0xBB, 0xBF];

    protected RecordFileParser(string idField) => IdField = idField;

    protected string IdField { get; }

    /// <summary>A parser for <paramref name="path"/>'s format (by its extension).</summary>
    public static RecordFileParser For(string path, string idField) => InboxFolders.IsCsv(path) ? new Csv(idField) : new JsonLines(idField);

    /// <summary>
    /// Bytes from the start of the file up to the end of the CSV header's line: what a file of rows appended later
    /// repeats to be read alone. 0 for JSON lines and until the header is read.
    /// </summary>
    public long HeaderEnd { get; protected set; }

    /// <summary>
    /// Parses <paramref name="bytes"/>, which start at a record boundary <paramref name="offset"/> bytes into the file
    /// after <paramref name="lines"/> line breaks: up to the end of the last complete record, or to the end when
    /// <paramref name="final"/>.
    /// </summary>
    public abstract ParsedPiece Parse(ReadOnlySpan<byte> bytes, long offset, int lines, bool final);

    /// <summary>Reads the header again from the file's first <see cref="HeaderEnd"/> bytes (a file resumed from a checkpoint).</summary>
    public void RestoreHeader(ReadOnlySpan<byte> header, long headerEnd)
    {
        if (headerEnd == 0) return;
        Parse(header, 0, 0, final: true);
        HeaderEnd = headerEnd;
    }

    /// <summary>The length of the complete records at the start of <paramref name="bytes"/>: up to the last line break outside quotes.</summary>
    protected static int CompleteLength(ReadOnlySpan<byte> bytes, bool quotes)
    {
        if (!quotes) return bytes.LastIndexOf((byte)'\n') + 1;
        int end = 0;
        bool quoted = false;
        for (int i = 0; ; i++)
        {
            int next = quoted ? bytes[i..].IndexOf((byte)'"') : bytes[i..].IndexOfAny((byte)'"', (byte)'\n');
            if (next < 0) return end;
            i += next;
            if (bytes[i] == '"') quoted = !quoted; // "" inside a quoted cell toggles twice
            else end = i + 1;
        }
    }

    /// <summary>UTF-8 text; a byte-order mark at the start of the file is dropped.</summary>
    protected static string Text(ReadOnlySpan<byte> bytes, long offset) =>
        Encoding.UTF8.GetString(offset == 0 && bytes.StartsWith(ByteOrderMark) ? bytes[ByteOrderMark.Length..] : bytes);

    /// <summary>
    /// RFC 4180 CSV: quoted cells may hold commas, quotes ("") and line breaks; LF or CRLF; a UTF-8 BOM is ignored. The
    /// first non-empty row is the header. A row with another cell count than the header, or an unclosed quote, is
    /// dead-lettered with its line number.
    /// </summary>
    private sealed class Csv(string idField) : RecordFileParser(idField)
    {
        private string[]? _header;

        public override ParsedPiece Parse(ReadOnlySpan<byte> bytes, long offset, int lines, bool final)
        {
            int start = 0;
            while (_header is null)
            {
                int end = final ? bytes.Length : start + CompleteLength(bytes[start..], quotes: true);
                // The header alone, one record at a time (it usually is one line).
                int next = start + FirstRecordLength(bytes[start..end]);
                if (next == start) return new ParsedPiece(TextRecords.WithHeader([], IdField), start, bytes[..start].Count((byte)'\n'));
                using var text = new StringReader(Text(bytes[start..next], offset + start));
                using var reader = CsvFormat.Reader(text);
                foreach (var row in reader)
                {
                    if (row.Span.Length == 0) continue;
                    _header = new string[row.ColCount];
                    for (int c = 0; c < _header.Length; c++) _header[c] = row[c].ToString().Trim();
                    HeaderEnd = offset + next;
                    break;
                }
                start = next;
            }

            var records = TextRecords.WithHeader(_header, IdField);
            int complete = final ? bytes.Length : start + CompleteLength(bytes[start..], quotes: true);
            int before = lines + bytes[..start].Count((byte)'\n');
            using (var text = new StringReader(Text(bytes[start..complete], offset + start)))
            using (var csv = CsvFormat.Reader(text))
            {
                foreach (var row in csv)
                {
                    if (row.Span.Length == 0) continue; // an empty line
                    // Sep's LineNumberFrom says 2 for a reader's first row; LineNumberToExcl is right for every row.
                    int line = before + row.LineNumberToExcl - 1 - row.Span.Count('\n');
                    records.Begin(line);
                    if (CsvFormat.HasUnclosedQuote(row.Span)) records.End($"line {line} has a quoted cell that is not closed");
                    else if (row.ColCount != records.Columns) records.End($"line {line} has {row.ColCount} cells; the header has {records.Columns}");
                    else
                    {
                        for (int c = 0; c < row.ColCount; c++) records.AddCell(row[c].Span);
                        records.End();
                    }
                }
            }
            return new ParsedPiece(records, complete, bytes[..complete].Count((byte)'\n'));
        }

        /// <summary>The length of the first record (through its line break outside quotes), or all of <paramref name="bytes"/> when it has none.</summary>
        private static int FirstRecordLength(ReadOnlySpan<byte> bytes)
        {
            bool quoted = false;
            for (int i = 0; i < bytes.Length; i++)
            {
                if (bytes[i] == '"') quoted = !quoted;
                else if (bytes[i] == '\n' && !quoted) return i + 1;
            }
            return bytes.Length;
        }
    }

    /// <summary>One JSON object per line; blank lines are skipped; a line that is not an object is dead-lettered with its number.</summary>
    private sealed class JsonLines(string idField) : RecordFileParser(idField)
    {
        public override ParsedPiece Parse(ReadOnlySpan<byte> bytes, long offset, int lines, bool final)
        {
            var records = TextRecords.SelfNamed(IdField);
            int complete = final ? bytes.Length : CompleteLength(bytes, quotes: false);
            int number = lines;
            using var reader = new StringReader(Text(bytes[..complete], offset));
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
            return new ParsedPiece(records, complete, bytes[..complete].Count((byte)'\n'));
        }
    }
}
