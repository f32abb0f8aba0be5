using System.Collections.Concurrent;
using AnomalyAE.Tabular;
using AnomalyAE.TimeSeries.Evaluation.Metrics;

// Unsupervised tabular benchmark (ADBench protocol): every set standardized on all rows, each detector fitted on all
// rows without labels, all rows scored; ROC AUC and average precision per seed; scikit-learn's detectors in the same run.
// --mode thresholds: our defaults and one plain network with the automatic threshold against IsolationForest's, F1 and the
// calibration of the Probability column (Brier score, expected calibration error).
//   dotnet run --project bench/AnomalyAE.Tabular -c Release -- [--mode report|sweep|thresholds] [--seeds 1,2,3] [--sets a,b]
//       [--data bench/AnomalyAE.Tabular/data/sets] [--adbench ../shared/data/adbench] [--out bench/tabular] [--threads 1]
//       [--parallel 2] [--peers true] [--peer-methods IsolationForest,KNN] [--methods "name;name"] [--scores folder]
//       [--merge earlier.json]
// --adbench adds ADBench's classical sets (NAME.csv.gz, see that folder's README) as a second suite next to the own sets;
// --data none leaves the own sets out. --scores writes every row's score per detector, set and seed (float32, .f32 files;
// scikit-learn's as .npy) for offline analysis.
var settings = args.Select((a, i) => (a, i)).Where(p => p.a.StartsWith("--")).ToDictionary(p => p.a[2..], p => args[p.i + 1]);
string Setting(string name, string fallback) => settings.GetValueOrDefault(name, fallback);
string mode = Setting("mode", "report");
int[] seeds = Setting("seeds", "1,2,3").Split(',').Select(int.Parse).ToArray();
string dataFolder = Setting("data", "bench/AnomalyAE.Tabular/data/sets");
string outFolder = Setting("out", "bench/tabular");
int threads = int.Parse(Setting("threads", "1"));
int parallel = int.Parse(Setting("parallel", "2"));
bool peers = bool.Parse(Setting("peers", "true"));
var detectors = mode switch { "sweep" => DetectorLists.Sweep, "thresholds" => DetectorLists.Thresholds, _ => DetectorLists.Report };
string? peerMethods = settings.GetValueOrDefault("peer-methods") ?? (mode == "thresholds" ? "IsolationForest" : null);
string? adbenchFolder = settings.GetValueOrDefault("adbench");
string? scoresFolder = settings.GetValueOrDefault("scores");
if (settings.TryGetValue("methods", out var chosen))
{
    var names = chosen.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    var unknown = names.Where(n => detectors.All(d => d.Name != n)).ToArray();
    if (unknown.Length > 0) throw new ArgumentException($"--methods: no detector named '{string.Join("', '", unknown)}'; the names are: {string.Join("; ", detectors.Select(d => d.Name))}");
    detectors = detectors.Where(d => names.Contains(d.Name)).ToArray();
}

if (dataFolder != "none" && !Directory.Exists(dataFolder))
    throw new DirectoryNotFoundException($"No data sets in {dataFolder}: build them first with bash bench/AnomalyAE.Tabular/data/build-datasets.sh");
if (adbenchFolder is not null && !Directory.Exists(adbenchFolder))
    throw new DirectoryNotFoundException($"No ADBench sets in {adbenchFolder} (gzipped CSV files NAME.csv.gz; see the README of the shared data folder).");
var setNames = settings.TryGetValue("sets", out var only) ? only.Split(',') : null;
IEnumerable<TabularSet> ReadSuite(string? folder, string pattern, string suite) => folder is null || folder == "none" ? [] :
    Directory.GetFiles(folder, pattern).Order(StringComparer.Ordinal)
        .Where(f => setNames is null || setNames.Contains(TabularSet.NameOf(f)))
        .Select(f => TabularSet.Read(f, suite));
var sets = ReadSuite(adbenchFolder, "*.csv.gz", "adbench").Concat(ReadSuite(dataFolder, "*.csv", "own")).ToArray();
string peersScript = Path.Combine(AppContext.BaseDirectory, "peers.py");
Console.WriteLine($"CPU: {Report.Cpu()}; {sets.Length} sets, seeds {string.Join(",", seeds)}, {threads} torch thread(s) per model, {parallel} jobs at once.");

var results = new ConcurrentBag<Measurement>();
var clock = System.Diagnostics.Stopwatch.StartNew();
var jobs = sets.SelectMany(set => seeds.Select(seed => (set, seed))).OrderByDescending(j => (long)j.set.Rows * j.set.Columns).ToArray();
Parallel.ForEach(jobs, new ParallelOptions { MaxDegreeOfParallelism = parallel }, job =>
{
    var line = new List<string>();
    foreach (var detector in detectors)
    {
        var (scores, predicted, probabilities, seconds) = detector.Run(job.set, job.seed, threads,
            scoresFolder is null ? null : r => ScoreFiles.Write(scoresFolder, job.set.Name, detector.Name + ".reconstruction", job.seed, r));
        if (scoresFolder is not null) ScoreFiles.Write(scoresFolder, job.set.Name, detector.Name, job.seed, scores);
        var labels = job.set.IsAnomaly;
        var wideScores = Array.ConvertAll(scores, s => (double)s);
        var m = new Measurement(job.set.Name, detector.Name, job.seed, RankMetrics.RocAuc(wideScores, labels),
            RankMetrics.AveragePrecision(wideScores, labels), seconds)
        {
            F1Automatic = predicted is null ? null : ThresholdMetrics.F1(predicted, labels),
            F1AtContamination = predicted is null ? null : ThresholdMetrics.F1(ThresholdMetrics.FlagAtContamination(scores, job.set.Anomalies / (double)job.set.Rows), labels),
            F1Quantile10 = predicted is null ? null : ThresholdMetrics.F1(ThresholdMetrics.FlagAtContamination(scores, 0.1), labels),
            F1Mad = predicted is null ? null : ThresholdMetrics.F1(ThresholdMetrics.FlagByMad(scores), labels),
            F1Pot = predicted is null ? null : ThresholdMetrics.F1(ThresholdMetrics.FlagByPot(scores), labels),
            Brier = probabilities is null ? null : ThresholdMetrics.Brier(probabilities, labels),
            CalibrationError = probabilities is null ? null : ThresholdMetrics.ExpectedCalibrationError(probabilities, labels),
            MeanProbability = probabilities?.Average(p => (double)p),
            OracleBrier = probabilities is null ? null : ThresholdMetrics.OracleBrier(scores, labels),
        };
        results.Add(m);
        line.Add($"{detector.Name} {m.Auc:F3}/{m.AveragePrecision:F3}");
    }
    Console.WriteLine($"  {job.set.Name} seed {job.seed}: {string.Join(", ", line)}");
});
if (peers)
    Parallel.ForEach(sets, new ParallelOptions { MaxDegreeOfParallelism = parallel }, set =>
    {
        foreach (var m in PeerDetectors.Run(peersScript, set.Path, seeds, peerMethods, scoresFolder)) results.Add(m);
        Console.WriteLine($"  {set.Name}: scikit-learn peers done");
    });

// --merge FILE.json: measurements of methods this run did not make, from an earlier run's JSON (e.g. the deterministic
// OneClassSVM and LocalOutlierFactor, or another detector's seeds), for the sets and seeds of this run.
if (settings.TryGetValue("merge", out var mergeFiles))
    foreach (var file in mergeFiles.Split(','))
    {
        var ran = results.Select(r => r.Method).ToHashSet();
        var names = sets.Select(s => s.Name).ToHashSet();
        var earlier = System.Text.Json.JsonSerializer.Deserialize<Measurement[]>(File.ReadAllText(file))!
            .Where(m => !ran.Contains(m.Method) && names.Contains(m.Set)).ToArray();
        foreach (var m in earlier.Where(m => seeds.Contains(m.Seed))) results.Add(m);
        // scikit-learn's seed-free detectors gave the same numbers for every seed: an earlier run's one seed stands for all.
        string[] seedFree = ["LocalOutlierFactor", "OneClassSVM", "PCA", "KNN", "ECOD", "HBOS"];
        foreach (var group in earlier.Where(m => seedFree.Contains(m.Method)).GroupBy(m => (m.Set, m.Method)))
            foreach (int seed in seeds.Where(s => group.All(m => m.Seed != s)))
                results.Add(group.First() with { Seed = seed });
    }

Directory.CreateDirectory(outFolder);
string command = "dotnet run --project bench/AnomalyAE.Tabular -c Release -- " + string.Join(' ', args);
string markdown = Report.Markdown(sets, detectors, [.. results], seeds, command, clock.Elapsed);
File.WriteAllText(Path.Combine(outFolder, $"{mode}.md"), markdown);
File.WriteAllText(Path.Combine(outFolder, $"{mode}.json"), System.Text.Json.JsonSerializer.Serialize(results.OrderBy(r => r.Set).ThenBy(r => r.Method).ThenBy(r => r.Seed)));
Console.WriteLine(markdown);
