using System.Globalization;
using System.Text.Json;
using AnomalyAE.TimeSeries.Evaluation.Metrics;

namespace AnomalyAE.TimeSeries.Evaluation.Data;

/// <summary>One NAB data file: its rows in order and its official anomaly windows as row ranges of the whole file.</summary>
public sealed record NabFile(string Name, DateTime[] Timestamps, double[] Values, AnomalyRange[] Windows)
{
    public int Rows => Values.Length;

    /// <summary>NAB's probationary length (<see cref="NabScorer.ProbationLength"/>): the training part.</summary>
    public int Probation => NabScorer.ProbationLength(Rows);

    /// <summary>
    /// The online task: train on the probationary rows, score the rest in order; windows that start in the probationary
    /// part keep their scored rows (NAB scores those rows too).
    /// </summary>
    public SeriesTask ToTask()
    {
        int p = Probation;
        var train = Values[..p].Select(v => (float)v).ToArray();
        var test = Values[p..].Select(v => (float)v).ToArray();
        var anomalies = Windows.Where(w => w.End >= p).Select(w => new AnomalyRange(Math.Max(0, w.Start - p), w.End - p)).ToArray();
        return new SeriesTask("NAB", Name, 1, train, test, TestFollowsTrain: true, anomalies)
        {
            Window = WindowLength.Choose(Values[..p]),
        };
    }
}

/// <summary>
/// Reads the Numenta Anomaly Benchmark as cloned from github.com/numenta/NAB: <c>data/&lt;category&gt;/&lt;file&gt;.csv</c>
/// (<c>timestamp,value</c>) and <c>labels/combined_windows.json</c> (per file, the windows as <c>[start, end]</c>
/// timestamps, which NAB requires to be timestamps of the file).
/// </summary>
public static class NabCorpus
{
    public static NabFile[] Load(string folder)
    {
        string labels = Path.Combine(folder, "labels", "combined_windows.json");
        if (!File.Exists(labels))
            throw new FileNotFoundException($"No NAB labels at {labels}: pass the folder of a clone of github.com/numenta/NAB (commit ea702d7).", labels);
        using var json = JsonDocument.Parse(File.ReadAllText(labels));
        var files = new List<NabFile>();
        foreach (var entry in json.RootElement.EnumerateObject().OrderBy(e => e.Name, StringComparer.Ordinal))
        {
            var (timestamps, values) = ReadCsv(Path.Combine(folder, "data", entry.Name));
            var index = new Dictionary<DateTime, int>();
            for (int i = 0; i < timestamps.Length; i++) index.TryAdd(timestamps[i], i);
            var windows = entry.Value.EnumerateArray().Select(w =>
            {
                int Find(JsonElement limit) => index.TryGetValue(ParseTime(limit.GetString()!), out int i) ? i
                    : throw new InvalidDataException($"{entry.Name}: window limit {limit.GetString()} is not a timestamp of the file.");
                return new AnomalyRange(Find(w[0]), Find(w[1]));
            }).OrderBy(w => w.Start).ToArray();
            files.Add(new NabFile(entry.Name, timestamps, values, windows));
        }
        return [.. files];
    }

    public static (DateTime[] Timestamps, double[] Values) ReadCsv(string path)
    {
        var lines = File.ReadAllLines(path);
        if (lines.Length == 0 || !lines[0].StartsWith("timestamp,value", StringComparison.Ordinal))
            throw new InvalidDataException($"{path}: expected the header 'timestamp,value'.");
        var rows = lines.Skip(1).Where(l => l.Length > 0).Select(l => l.Split(',')).ToArray();
        return (rows.Select(r => ParseTime(r[0])).ToArray(), rows.Select(r => double.Parse(r[1], CultureInfo.InvariantCulture)).ToArray());
    }

    /// <summary>NAB's timestamps: <c>2014-07-01 00:00:00</c> in the files, with <c>.000000</c> in the labels.</summary>
    public static DateTime ParseTime(string text) =>
        DateTime.ParseExact(text.Trim(), ["yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd HH:mm:ss.ffffff"], CultureInfo.InvariantCulture, DateTimeStyles.None);
}
