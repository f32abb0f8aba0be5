using System.Globalization;
using System.Text;
using AnomalyAE.Hosting.Records;
using AnomalyAE.Persistence;

namespace AnomalyAE.Cli.Tables;

/// <summary>Writes CSV atomically (see <see cref="AtomicFile"/>) in the inbox's dialect (<see cref="CsvFormat"/>); <c>-</c> is standard output.</summary>
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
        AtomicFile.WriteText(full, writer => WriteRows(writer, header, rows));
    }

    private static void WriteRows(TextWriter writer, IReadOnlyList<string> header, IEnumerable<IReadOnlyList<string>> rows)
    {
        CsvFormat.WriteRow(writer, header);
        foreach (var row in rows) CsvFormat.WriteRow(writer, row);
    }

    public static string Number(float value) => value.ToString("R", CultureInfo.InvariantCulture);
}
