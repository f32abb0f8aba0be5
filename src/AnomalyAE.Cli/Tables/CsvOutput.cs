using System.Globalization;
using System.Text;

namespace AnomalyAE.Cli.Tables;

/// <summary>Writes CSV atomically: to a temporary file beside the target, renamed over it when complete; <c>-</c> is standard output.</summary>
internal static class CsvOutput
{
    public static void Write(string path, IReadOnlyList<string> header, IEnumerable<IReadOnlyList<string>> rows)
    {
        if (StandardStreams.Is(path))
        {
            using var output = new StreamWriter(Console.OpenStandardOutput(), new UTF8Encoding(false), 1 << 16);
            WriteRows(output, header, rows);
            return;
        }
        string full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        string temporary = full + $".{Guid.NewGuid():N}.tmp";
        try
        {
            using (var writer = new StreamWriter(temporary, false, new UTF8Encoding(false)))
                WriteRows(writer, header, rows);
            File.Move(temporary, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporary)) File.Delete(temporary);
        }
    }

    private static void WriteRows(TextWriter writer, IReadOnlyList<string> header, IEnumerable<IReadOnlyList<string>> rows)
    {
        writer.WriteLine(string.Join(',', header.Select(Escape)));
        foreach (var row in rows) writer.WriteLine(string.Join(',', row.Select(Escape)));
    }

    public static string Number(float value) => value.ToString("R", CultureInfo.InvariantCulture);

    private static string Escape(string cell) =>
        cell.IndexOfAny([',', '"', '\n', '\r']) < 0 ? cell : "\"" + cell.Replace("\"", "\"\"") + "\"";
}
