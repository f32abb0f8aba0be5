// A sequence autoencoder on a real series: NAB's machine temperature (22,695 readings, every 5 minutes), trained on its
// first 15 %, then every reading scored online (the window of 64 readings that ends at it, no look-ahead) and compared
// with NAB's four labelled anomaly windows. Writes series.png and scores.csv to the output folder.
//
// Usage: dotnet run --project samples/TimeSeries -c Release [-- OUTPUT_FOLDER] [--epochs N]
using System.Diagnostics;
using System.Globalization;
using AnomalyAE;
using AnomalyAE.Visualization;
using Microsoft.ML;

string output = Path.Combine("output", "timeseries");
int? epochs = null;
for (int i = 0; i < args.Length; i++)
{
    if (args[i] == "--epochs") epochs = i + 1 < args.Length ? int.Parse(args[++i], CultureInfo.InvariantCulture) : throw new ArgumentException("--epochs needs a value.");
    else if (!args[i].StartsWith("--", StringComparison.Ordinal)) output = args[i];
    else throw new ArgumentException($"Unknown option '{args[i]}'. Usage: [OUTPUT_FOLDER] [--epochs N]");
}
Directory.CreateDirectory(output);
var clock = Stopwatch.StartNew();

// The file's clock goes back one hour on 2014-01-07 (02:00–02:55 come twice). The rows stay in file order and no
// order column is set, as NAB's online protocol feeds them: each row is the next step.
var lines = File.ReadLines(Path.Combine(AppContext.BaseDirectory, "data", "nab", "machine_temperature_system_failure.csv")).Skip(1).Select(l => l.Split(',')).ToArray();
string[] timestamps = [.. lines.Select(f => f[0])];
var readings = lines.Select(f => new Reading { Value = float.Parse(f[1], CultureInfo.InvariantCulture) }).ToArray();
int trainRows = (int)(0.15 * readings.Length);

// NAB's labelled windows for this file (labels/combined_windows.json), both ends included, as row ranges.
(int Start, int End)[] windows = [.. new[]
{
    ("2013-12-10 06:25:00", "2013-12-12 05:35:00"), ("2013-12-15 17:50:00", "2013-12-17 17:00:00"),
    ("2014-01-27 14:20:00", "2014-01-29 13:30:00"), ("2014-02-07 14:55:00", "2014-02-09 14:05:00"),
}.Select(w => (Row(w.Item1), Row(w.Item2)))];
bool[] inWindow = [.. Enumerable.Range(0, readings.Length).Select(i => windows.Any(w => i >= w.Start && i <= w.End))];

var ml = new MLContext(seed: 1);
var all = ml.Data.LoadFromEnumerable(readings);
// fixZero: false standardizes the readings (training part: mean 83, standard deviation 13); the default only divides
// them by their root mean square, which leaves them at 1 ± 0.16.
var pipeline = ml.Transforms.NormalizeMeanVariance(nameof(Reading.Value), fixZero: false)
    .Append(ml.Autoencoders().SequenceAutoencoder(new SequenceAutoencoderOptions { FeatureColumnName = nameof(Reading.Value), WindowSize = 64, Seed = 1, Epochs = epochs }));
using var model = pipeline.Fit(ml.Data.TakeRows(all, trainRows));
var detector = model.LastTransformer;
var scored = ml.Data.CreateEnumerable<Scored>(model.Transform(all), reuseRowObject: false).ToArray();
float[] scores = [.. scored.Select(s => s.Score)];

using (var csv = new StreamWriter(Path.Combine(output, "scores.csv")))
{
    csv.WriteLine("timestamp,value,score,predicted_label");
    for (int i = 0; i < readings.Length; i++)
        csv.WriteLine($"{timestamps[i]},{lines[i][1]},{scores[i].ToString("R", CultureInfo.InvariantCulture)},{(scored[i].PredictedLabel ? 1 : 0)}");
}
Charts.SeriesScores(Path.Combine(output, "series.png"), [.. readings.Select(r => (double)r.Value)], scores, detector.Threshold, windows,
    $"NAB machine temperature: {detector.WindowSize}-step windows, trained on rows 0–{trainRows - 1}; NAB's labelled windows shaded", "temperature");

int flagged = scored.Count(s => s.PredictedLabel), flaggedInside = Enumerable.Range(0, scored.Length).Count(i => scored[i].PredictedLabel && inWindow[i]);
Console.WriteLine($"Rows: {readings.Length} (trained on the first {trainRows}, {detector.TrainingHistory.Count} epochs), {inWindow.Count(w => w)} inside NAB's labelled windows");
Console.WriteLine($"Threshold: {detector.Threshold:G4}");
Console.WriteLine($"Rows flagged: {flagged}: {flaggedInside} inside the labelled windows, {flagged - flaggedInside} outside");
foreach (var (start, end) in windows)
{
    // NAB centres a window on its labelled event (labels/combined_labels.json); the readings are 5 minutes apart.
    int first = Enumerable.Range(start, end - start + 1).FirstOrDefault(i => scored[i].PredictedLabel, -1), centre = (start + end) / 2;
    string part = end < trainRows ? " (inside the training part)" : "";
    Console.WriteLine($"  window {timestamps[start]} – {timestamps[end]}, centred on {timestamps[centre]}{part}: " +
        (first < 0 ? "no alert" : $"first alert {timestamps[first]}, {Math.Abs(first - centre) * 5 / 60.0:F1} h {(first < centre ? "before" : "after")} the centre"));
}
Console.WriteLine($"ROC AUC of the score against the windows: {RocAuc(0, i => scores[i]):F3} over every scored row, {RocAuc(trainRows, i => scores[i]):F3} after the training part " +
    $"(for scale, the temperature alone, lower = more anomalous: {RocAuc(trainRows, i => -readings[i].Value):F3})");
Console.WriteLine($"Done in {clock.Elapsed.TotalSeconds:F0} s. Wrote {Path.GetFullPath(Path.Combine(output, "series.png"))} and scores.csv");

int Row(string timestamp) => Array.IndexOf(timestamps, timestamp) is int row and >= 0 ? row : throw new InvalidDataException($"{timestamp} is not a timestamp of the file.");

// P(a row inside a window ranks above a row outside), ties counted half, over the rows with a score from row `from` on.
double RocAuc(int from, Func<int, double> rank)
{
    var rows = Enumerable.Range(from, scores.Length - from).Where(i => !float.IsNaN(scores[i])).OrderBy(rank).ToArray();
    double rankSum = 0;
    for (int start = 0; start < rows.Length;)
    {
        int end = start;
        while (end + 1 < rows.Length && rank(rows[end + 1]) == rank(rows[start])) end++;
        rankSum += ((start + end) / 2.0 + 1) * Enumerable.Range(start, end - start + 1).Count(k => inWindow[rows[k]]);
        start = end + 1;
    }
    long positives = rows.Count(i => inWindow[i]), negatives = rows.Length - positives;
    return (rankSum - positives * (positives + 1) / 2.0) / ((double)positives * negatives);
}

sealed class Reading
{
    public float Value { get; set; }
}

sealed class Scored
{
    public float Score { get; set; }
    public bool PredictedLabel { get; set; }
}
