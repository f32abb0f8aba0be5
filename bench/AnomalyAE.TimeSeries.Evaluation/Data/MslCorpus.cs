using System.Globalization;
using System.IO.Compression;
using System.Text.RegularExpressions;

namespace AnomalyAE.TimeSeries.Evaluation.Data;

/// <summary>
/// Reads NASA's MSL telemetry (Hundman et al., KDD 2018) as redistributed by TranAD (<c>data/SMAP_MSL</c>) and converted to
/// gzipped CSV: per channel <c>train/&lt;chan&gt;.csv.gz</c> and <c>test/&lt;chan&gt;.csv.gz</c> (<c>value,cmd1…cmd54</c>), and
/// <c>labeled_anomalies.csv</c> (<c>chan_id,spacecraft,anomaly_sequences,class,num_values</c>; the sequences are inclusive
/// 0-based row ranges of the test file). Only the rows of spacecraft MSL are read.
/// </summary>
public static partial class MslCorpus
{
    public static SeriesTask[] Load(string folder)
    {
        string labels = Path.Combine(folder, "labeled_anomalies.csv");
        if (!File.Exists(labels)) throw new FileNotFoundException($"No MSL labels at {labels}.", labels);
        var tasks = new List<SeriesTask>();
        foreach (var (channel, ranges, testRows) in ReadLabels(labels).OrderBy(l => l.Channel, StringComparer.Ordinal))
        {
            var (trainDims, train) = ReadGzipCsv(Path.Combine(folder, "train", channel + ".csv.gz"));
            var (testDims, test) = ReadGzipCsv(Path.Combine(folder, "test", channel + ".csv.gz"));
            if (trainDims != testDims) throw new InvalidDataException($"MSL {channel}: train has {trainDims} columns, test {testDims}.");
            if (test.Length / testDims != testRows)
                throw new InvalidDataException($"MSL {channel}: labeled_anomalies.csv says {testRows} test rows, the file has {test.Length / testDims}.");
            var task = new SeriesTask("MSL", channel, trainDims, train, test, TestFollowsTrain: false, ranges);
            tasks.Add(task with { Window = WindowLength.Choose(task.Channel(train, 0)) });
        }
        return [.. tasks];
    }

    /// <summary>The MSL rows of labeled_anomalies.csv: channel, ranges in order, and the test file's row count.</summary>
    public static IEnumerable<(string Channel, AnomalyRange[] Ranges, int TestRows)> ReadLabels(string path)
    {
        foreach (var line in File.ReadLines(path).Skip(1).Where(l => l.Length > 0))
        {
            // chan_id,spacecraft,"[[a, b], [c, d]]","[point, contextual]",num_values
            var quoted = Quoted().Matches(line).Select(m => m.Groups[1].Value).ToArray();
            var plain = Quoted().Replace(line, "").Split(',');
            if (plain[1] != "MSL") continue;
            var ranges = RangePair().Matches(quoted[0])
                .Select(m => new AnomalyRange(int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture)))
                .OrderBy(r => r.Start).ToArray();
            yield return (plain[0], ranges, int.Parse(plain[^1], CultureInfo.InvariantCulture));
        }
    }

    /// <summary>A gzipped CSV with a header row: its column count and its values row-major.</summary>
    public static (int Dimensions, float[] Values) ReadGzipCsv(string path)
    {
        using var reader = new StreamReader(new GZipStream(File.OpenRead(path), CompressionMode.Decompress));
        int dims = reader.ReadLine()?.Split(',').Length ?? throw new InvalidDataException($"{path}: empty.");
        var values = new List<float>();
        while (reader.ReadLine() is { } line)
        {
            if (line.Length == 0) continue;
            var cells = line.Split(',');
            if (cells.Length != dims) throw new InvalidDataException($"{path}: a row has {cells.Length} cells, the header {dims}.");
            foreach (var cell in cells) values.Add(float.Parse(cell, CultureInfo.InvariantCulture));
        }
        return (dims, [.. values]);
    }

    [GeneratedRegex("\"([^\"]*)\"")]
    private static partial Regex Quoted();

    [GeneratedRegex(@"\[\s*(\d+)\s*,\s*(\d+)\s*\]")]
    private static partial Regex RangePair();
}
