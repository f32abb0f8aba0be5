using System.Diagnostics;
using System.Globalization;
using AnomalyAE;
using AnomalyAE.Tests;
using Microsoft.ML;

// Streamed training bench: trains on a generated IDataView of 32 features that is never materialized, each measurement
// in its own process so that its peak RSS is its own. Prints, next to each other in one run: in-memory and streamed
// training on the same data that fits (throughput ratio), streamed training at growing sizes (time, peak RSS), and the
// RSS at the end of each epoch of a multi-epoch streamed run (flat means no growth per epoch).
//   dotnet run --project bench/AnomalyAE.StreamBench -c Release [-- --sizes 1000000,5000000,20000000 --threads 2 --compare-rows 1000000 --epoch-rows 2000000 --shuffle-rows default]
const int Features = 32;

if (args.Length > 0 && args[0] == "--one") return Measurement.Run(args[1..]);

var sizes = Option("--sizes", "1000000,5000000,20000000").Split(',').Select(long.Parse).ToArray();
string threads = Option("--threads", "2");
long compareRows = long.Parse(Option("--compare-rows", "1000000")), epochRows = long.Parse(Option("--epoch-rows", "2000000"));
string shuffleRows = Option("--shuffle-rows", "default");
Console.WriteLine($"CPU: {Machine.Cpu()}, {Environment.ProcessorCount} cores; libtorch threads {threads}; {Features} features; network 32 → 64 → 8, batch 1024, 1 epoch unless said; shuffle buffer {shuffleRows} rows");
Console.WriteLine();
Console.WriteLine($"{"measurement",-34} {"source",-9} {"rows",11} {"fit s",8} {"train rows/s",13} {"peak RSS MB",12}  notes");

// Data that fits: in-memory against streamed, three times each, interleaved (the ratio of the medians), from two sources: "table" rows cost little to
// produce (a copy from 65,536 precomputed rows, like a file in the page cache), "manifold" rows are computed (32 tanh).
// Streaming reads the source every epoch on a second thread, which shares the 2 cores with libtorch's threads.
foreach (string source in new[] { "table", "manifold" })
{
    Child("source read alone", compareRows, 0, threads, source);
    var inMemory = new List<double>();
    var streamed = new List<double>();
    for (int repeat = 0; repeat < 3; repeat++)
    {
        inMemory.Add(Child("in-memory", compareRows, 1, threads, source).RowsPerSecond);
        streamed.Add(Child("streamed", compareRows, 1, threads, source).RowsPerSecond);
    }
    double ratio = Median(streamed) / Median(inMemory);
    Console.WriteLine($"{source} source: streamed / in-memory training throughput on {compareRows:N0} rows: {ratio:F2} (target ≥ 0.80: {(ratio >= 0.8 ? "met" : "MISSED")})");
}

foreach (long rows in sizes) Child("streamed", rows, 1, threads, "manifold");
Child("streamed, RSS per epoch", epochRows, 3, threads, "manifold");
return 0;

static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);

string Option(string name, string fallback)
{
    int at = Array.IndexOf(args, name);
    return at >= 0 && at + 1 < args.Length ? args[at + 1] : fallback;
}

Result Child(string kind, long rows, int epochs, string threads, string source)
{
    var start = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true };
    if (Path.GetFileNameWithoutExtension(Environment.ProcessPath!) == "dotnet") start.ArgumentList.Add(typeof(Measurement).Assembly.Location);
    foreach (var a in new[] { "--one", kind, rows.ToString(CultureInfo.InvariantCulture), epochs.ToString(CultureInfo.InvariantCulture), threads, source, shuffleRows }) start.ArgumentList.Add(a);
    using var process = Process.Start(start)!;
    string output = process.StandardOutput.ReadToEnd();
    process.WaitForExit();
    if (process.ExitCode != 0) throw new InvalidOperationException($"{kind} {rows} failed:\n{output}");
    var result = Result.Parse(output.Split('\n').Last(l => l.StartsWith("RESULT ", StringComparison.Ordinal)));
    string notes = result.EpochRss.Length > 1 ? "RSS MB at the end of each epoch: " + string.Join(", ", result.EpochRss.Select(r => r.ToString("F0", CultureInfo.InvariantCulture))) : "";
    Console.WriteLine($"{kind,-34} {source,-9} {rows,11:N0} {result.FitSeconds,8:F1} {result.RowsPerSecond,13:N0} {result.PeakRssMb,12:F0}  {notes}");
    return result;
}

/// <summary>One measurement's figures, passed from the child process as one line.</summary>
internal sealed record Result(double FitSeconds, double RowsPerSecond, double PeakRssMb, double[] EpochRss)
{
    public override string ToString() => FormattableString.Invariant($"RESULT {FitSeconds} {RowsPerSecond} {PeakRssMb} {string.Join(';', EpochRss)}");

    public static Result Parse(string line)
    {
        var parts = line.Split(' ');
        double D(string s) => double.Parse(s, CultureInfo.InvariantCulture);
        return new Result(D(parts[1]), D(parts[2]), D(parts[3]), parts.Length > 4 && parts[4].Length > 0 ? [.. parts[4].Split(';').Select(D)] : []);
    }
}

/// <summary>One training run in this process.</summary>
internal static class Measurement
{
    public static int Run(string[] args)
    {
        string kind = args[0];
        long rows = long.Parse(args[1], CultureInfo.InvariantCulture);
        int epochs = int.Parse(args[2], CultureInfo.InvariantCulture), threads = int.Parse(args[3], CultureInfo.InvariantCulture);
        var data = new GeneratedDataView(rows, 32, tableRows: args[4] == "table" ? 1 << 16 : 0);
        if (epochs == 0) return ReadAlone(data);
        var epochRss = new List<double>();
        var rates = new List<double>();
        var options = new AutoencoderOptions
        {
            EnsembleSize = 1, ScoreKind = AutoencoderScoreKind.ReconstructionError, HiddenLayers = [64], LatentDimension = 8,
            Epochs = epochs, BatchSize = 1024, Seed = 1, NumberOfThreads = threads, Contamination = 0.01,
            StreamTraining = kind.StartsWith("streamed", StringComparison.Ordinal),
            ShuffleBufferSize = args[5] == "default" ? null : int.Parse(args[5], CultureInfo.InvariantCulture),
            // The in-memory run must stay in memory whatever its size.
            TrainingMemoryBudget = kind == "in-memory" ? long.MaxValue : AutoencoderOptions.Defaults.TrainingMemoryBudget,
            Progress = new Progress(p => { rates.Add(p.RowsPerSecond); epochRss.Add(Machine.RssMb()); }),
        };
        var ml = new MLContext(seed: 1);
        var clock = Stopwatch.StartNew();
        using var model = ml.Autoencoders().Autoencoder(options).Fit(data);
        double seconds = clock.Elapsed.TotalSeconds;
        Console.WriteLine(new Result(seconds, rates.Average(), Machine.PeakRssMb(), [.. epochRss]));
        return 0;
    }

    /// <summary>The reference for the source's own cost: one cursor pass reading every feature vector, in rows/s.</summary>
    private static int ReadAlone(GeneratedDataView data)
    {
        var clock = Stopwatch.StartNew();
        var column = data.Schema["Features"];
        using var cursor = data.GetRowCursor([column]);
        var getter = cursor.GetGetter<Microsoft.ML.Data.VBuffer<float>>(column);
        Microsoft.ML.Data.VBuffer<float> row = default;
        long rows = 0;
        while (cursor.MoveNext()) { getter(ref row); rows++; }
        double seconds = clock.Elapsed.TotalSeconds;
        Console.WriteLine(new Result(seconds, rows / seconds, Machine.PeakRssMb(), []));
        return 0;
    }

    private sealed class Progress(Action<TrainingProgress> report) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => report(value);
    }
}
