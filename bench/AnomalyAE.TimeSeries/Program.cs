using System.Diagnostics;
using System.Text.Json;
using AnomalyAE;
using AnomalyAE.TimeSeries;
using AnomalyAE.TimeSeries.Evaluation.Data;
using AnomalyAE.TimeSeries.Evaluation.Detectors;

// Time-series benchmark on real data: NAB (58 univariate series, online, NAB score) and NASA MSL (27 multivariate
// channels), VUS-PR, ROC-AUC, PR-AUC and range-based F1 for every detector, peers in the same run. See README.md.
//   dotnet run --project bench/AnomalyAE.TimeSeries -c Release -- --data ../shared/data [--datasets nab,msl] [--seeds 1,2,3]
//       [--detectors "Spectral Residual;IsolationForest;PCA;KNN;AE on flattened windows;sequence autoencoder;sequence autoencoder, ScoreBaselineSteps = 0"]
//       [--limit N] [--threads 1]
//       [--out bench/TIMESERIES.md] [--merge earlier-run.json] [--run-datasets nab] [--relative yes]
//   dotnet run --project bench/AnomalyAE.TimeSeries -c Release -- --data ../shared/data --speed 5 [--window 64] [--threads 2] [--ensemble 8] [--baseline 0] [--out bench/TIMESERIES-SPEED.md]
var settings = args.Select((a, i) => (a, i)).Where(p => p.a.StartsWith("--")).ToDictionary(p => p.a[2..], p => args[p.i + 1]);
string Setting(string name, string fallback) => settings.GetValueOrDefault(name, fallback);
string data = Setting("data", "../shared/data");
var datasets = Setting("datasets", "nab,msl").Split(',');
int[] seeds = Setting("seeds", "1").Split(',').Select(int.Parse).ToArray();
int threads = int.Parse(Setting("threads", "1"));
int limit = int.Parse(Setting("limit", "0"));
string output = Setting("out", "bench/TIMESERIES.md");

// The detectors under test.
IDetector[] ours = [new SpectralResidual(), LibraryAutoencoder.OnFlattenedWindows(threads), LibrarySequenceAutoencoder.Defaults(threads), LibrarySequenceAutoencoder.WithoutBaseline(threads)];
var known = ours.Select(d => d.Name).Concat(PythonPeers.Methods).ToArray();
var chosen = settings.TryGetValue("detectors", out var names)
    ? names.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) : known;
if (chosen.Except(known).ToArray() is { Length: > 0 } unknown)
    throw new ArgumentException($"--detectors: no detector named '{string.Join("', '", unknown)}'; the names are: {string.Join("; ", known)}");
var detectors = ours.Where(d => chosen.Contains(d.Name)).ToArray();
var peerMethods = PythonPeers.Methods.Where(chosen.Contains).ToArray();
// --relative yes: every detector also gets a row of its scores relative to the series' recent scores (RecentScoreBaseline).
bool relative = Setting("relative", "no") == "yes";
const string RelativeSuffix = ", relative to recent scores";
// Between the rows a command produced, in the report's command lines: detector names may hold commas, never semicolons.
const string RowSeparator = "; ";
var reported = relative ? chosen.SelectMany(d => new[] { d, d + RelativeSuffix }).ToArray() : chosen;

// --speed N: the speed target at window 64 on the first N MSL channels (fit seconds, scoring rate), written to --out.
if (settings.TryGetValue("speed", out var speedChannels))
{
    int window = int.Parse(Setting("window", "64")), speedThreads = int.Parse(Setting("threads", Environment.ProcessorCount.ToString()));
    string header = $"CPU: {Machine.Cpu()}, {Environment.ProcessorCount} cores; window {window}, {speedThreads} thread(s), seed {seeds[0]}, sequence ensemble {Setting("ensemble", $"{new SequenceAutoencoderOptions().EnsembleSize} (the default)")}, score baseline {Setting("baseline", $"{new SequenceAutoencoderOptions().ScoreBaselineSteps} steps (the default)")}";
    Console.WriteLine(header);
    var speedClock = Stopwatch.StartNew();
    string table = WindowSpeed.Run(MslCorpus.Load(Path.Combine(data, "msl")).Take(int.Parse(speedChannels)), window, speedThreads, seeds[0],
        settings.TryGetValue("ensemble", out var ensemble) ? int.Parse(ensemble) : null, settings.TryGetValue("baseline", out var baseline) ? int.Parse(baseline) : null);
    string speedOut = Setting("out", "bench/TIMESERIES-SPEED.md");
    File.WriteAllText(speedOut, $"Command: `dotnet run --project bench/AnomalyAE.TimeSeries -c Release -- {string.Join(' ', args)}`  \n{header}; {speedClock.Elapsed.TotalMinutes:F1} min.\n\n{table}");
    Console.WriteLine(table);
    return;
}

Console.WriteLine($"CPU: {Machine.Cpu()}, {Environment.ProcessorCount} cores; seeds {string.Join(",", seeds)}; detectors: {string.Join("; ", chosen)}");
var clock = Stopwatch.StartNew();
var nabFiles = datasets.Contains("nab") ? NabCorpus.Load(Path.Combine(data, "nab")) : [];
var tasks = new List<SeriesTask>();
tasks.AddRange(nabFiles.Select(f => f.ToTask()).Take(limit > 0 ? limit : int.MaxValue));
if (datasets.Contains("msl")) tasks.AddRange(MslCorpus.Load(Path.Combine(data, "msl")).Take(limit > 0 ? limit : int.MaxValue));
if (limit > 0) nabFiles = nabFiles.Take(limit).ToArray();

// --run-datasets: run the detectors on these datasets only (the others come from --merge), e.g. a slow detector on NAB alone.
var runDatasets = Setting("run-datasets", string.Join(",", datasets)).Split(',');
var results = new List<SeriesResult>();
foreach (var task in tasks.Where(t => runDatasets.Contains(t.Dataset.ToLowerInvariant())))
{
    var scaled = task.Standardized();
    var line = new List<string>();
    void Add(SeriesResult r, DetectorScores scores)
    {
        SeriesResult[] rows = relative
            ? [r, SeriesResult.Measure(task, r.Detector + RelativeSuffix, r.Seed, RecentScoreBaseline.Apply(scores), r.Seconds)]
            : [r];
        results.AddRange(rows);
        if (r.Seed == seeds[0]) line.AddRange(rows.Select(row => $"{row.Detector} {row.VusPr:F3}"));
    }
    foreach (var detector in detectors)
    {
        DetectorScores? shared = null;
        double sharedSeconds = 0;
        foreach (int seed in seeds)
        {
            if (detector.UsesSeed || shared is null)
            {
                var watch = Stopwatch.StartNew();
                shared = detector.Score(scaled, seed);
                sharedSeconds = watch.Elapsed.TotalSeconds;
            }
            Add(SeriesResult.Measure(task, detector.Name, seed, shared, sharedSeconds), shared);
        }
    }
    if (peerMethods.Length > 0)
        foreach (var (method, seed, scores, seconds) in PythonPeers.Run(scaled, seeds, peerMethods))
            Add(SeriesResult.Measure(task, method, seed, scores, seconds), scores);
    Console.WriteLine($"  {task.Dataset} {task.Name} (w {task.Window}, {task.TrainRows}+{task.TestRows} rows × {task.Dimensions}) VUS-PR: {string.Join(", ", line)}  [{clock.Elapsed.TotalMinutes:F1} min]");
}

string command = "dotnet run --project bench/AnomalyAE.TimeSeries -c Release -- " +
    string.Join(' ', args.Select(a => a.IndexOfAny([' ', ';']) >= 0 ? $"\"{a}\"" : a));
var descriptions = detectors.ToDictionary(d => d.Name, d => d.Description);
foreach (var method in peerMethods) descriptions[method] = PythonPeers.Description(method);
if (relative)
    foreach (var name in chosen) descriptions[name + RelativeSuffix] = $"the scores of {name}, online, relative to the series' recent scores (`RecentScoreBaseline`: mean of the last {RecentScoreBaseline.Smoothing} in units of the median and robust spread of such means over the last {RecentScoreBaseline.History:N0} steps, re-estimated every {RecentScoreBaseline.Every})";
var nab = nabFiles.Length == 0 || !runDatasets.Contains("nab") ? [] : reported.SelectMany(d => seeds.Select(seed => NabCorpusResult.Compute(nabFiles, results, d, seed))).ToList();
var shown = reported.ToList();
var commands = new List<string> { command };
var merged = new HashSet<SeriesResult>(ReferenceEqualityComparer.Instance);
// --merge: the rows (detector, dataset) this run did not produce, from an earlier run's JSON on the same data (e.g. a slow detector run apart).
if (settings.TryGetValue("merge", out var merge))
{
    var earlier = JsonSerializer.Deserialize<RunResults>(File.ReadAllText(merge)) ?? throw new InvalidDataException($"{merge}: empty.");
    var ran = results.Select(r => (r.Detector, r.Dataset)).ToHashSet();
    var taken = earlier.Series.Where(r => !ran.Contains((r.Detector, r.Dataset))).ToList();
    results.AddRange(taken);
    merged.UnionWith(taken);
    nab.AddRange(earlier.Nab.Where(r => !ran.Contains((r.Detector, "NAB"))));
    foreach (var d in earlier.Descriptions.Keys.Where(d => !shown.Contains(d))) shown.Add(d);
    foreach (var d in earlier.Descriptions.Keys) descriptions.TryAdd(d, earlier.Descriptions[d]);
    var kept = taken.Select(r => $"{r.Detector} on {r.Dataset}").Distinct().ToHashSet();
    // An earlier run's command lines, each with the rows it produced; keep those whose rows are still taken.
    foreach (var line in earlier.Command.Split('\n'))
    {
        int open = line.LastIndexOf(" (rows of ", StringComparison.Ordinal);
        var rows = open < 0 ? kept : line[(open + 10)..^1].Split(RowSeparator).Where(kept.Contains).ToHashSet();
        if (rows.Count > 0) commands.Add((open < 0 ? line : line[..open]) + $" (rows of {string.Join(RowSeparator, rows)})");
    }
}
commands[0] += $" (rows of {string.Join(RowSeparator, results.Where(r => !merged.Contains(r)).Select(r => $"{r.Detector} on {r.Dataset}").Distinct())})";
string markdown = Report.Markdown(string.Join("`  \nand `", commands), clock.Elapsed, seeds, [.. shown], descriptions, tasks, nabFiles, results, nab, Path.Combine(data, "nab"));
File.WriteAllText(output, markdown);
string json = Path.ChangeExtension(output, ".json");
File.WriteAllText(json, JsonSerializer.Serialize(new RunResults(string.Join("\n", commands), descriptions, results, nab)));
Console.WriteLine(markdown);
Console.WriteLine($"Wrote {output} and {json} in {clock.Elapsed.TotalMinutes:F1} min.");
