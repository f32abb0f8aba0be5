using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace AnomalyAE.Cli.Tests;

/// <summary>
/// samples/ScoringWorker/README.md's commands, run as written from a copy of the repository's layout (the sample's
/// appsettings.json and data), including a Prometheus scrape that must count what the worker scored, and `anomalyae worker` on
/// the same configuration: each log line written once, and the console by default when the configuration has no Serilog section.
/// </summary>
public sealed class ScoringWorkerSampleTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(2);
    private readonly string _root = Directory.CreateTempSubdirectory("anomalyae-worker-sample-").FullName;
    private readonly List<Process> _background = [];

    public ScoringWorkerSampleTests()
    {
        string sample = Path.Combine(RepositoryRoot, "samples", "ScoringWorker");
        string copy = Path.Combine(_root, "samples", "ScoringWorker");
        Directory.CreateDirectory(Path.Combine(copy, "data"));
        File.Copy(Path.Combine(sample, "appsettings.json"), Path.Combine(copy, "appsettings.json"));
        foreach (string file in Directory.GetFiles(Path.Combine(sample, "data"), "*.csv"))
            File.Copy(file, Path.Combine(copy, "data", Path.GetFileName(file)));
    }

    public void Dispose()
    {
        foreach (var process in _background.Where(p => !p.HasExited))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
        }
        Directory.Delete(_root, recursive: true);
    }

    private static string RepositoryRoot { get; } = FindRepositoryRoot();

    [Fact]
    public async Task TheSampleReadmeCommandsWorkAsWrittenAndTheScrapeCountsWhatWasScored()
    {
        // The README's Prometheus port, moved to a free one so that parallel runs on one machine do not collide.
        string port = FreePort().ToString(CultureInfo.InvariantCulture);
        var commands = ReadmeCommands(block: 0).Select(c => c.Split(' ', StringSplitOptions.RemoveEmptyEntries)).Select(c => c.Select(word => word.Replace(":9464/", $":{port}/", StringComparison.Ordinal)).ToArray()).ToList();
        Assert.Equal(4, commands.Count);
        BackgroundProcess? worker = null;
        string? scrape = null;
        foreach (var command in commands)
        {
            if (command is ["curl", "-s", var url])
            {
                scrape = url;   // run once the file is scored, below
                continue;
            }
            if (command[0] == "cp")
            {
                // The user copies once the worker has made its inbox.
                string target = Path.Combine(_root, command[2]);
                WaitFor(() => Directory.Exists(target), $"the worker to create {command[2]}", worker);
                File.Copy(Path.Combine(_root, command[1]), Path.Combine(target, Path.GetFileName(command[1])));
                continue;
            }
            Assert.True(command is ["dotnet", "run", "--project", _, "--", ..], $"the README runs '{string.Join(' ', command)}'; this test knows 'dotnet run --project P -- ARGS' and 'cp'");
            string program = command[3] switch
            {
                "src/AnomalyAE.Cli" => "AnomalyAE.Cli.dll",
                "samples/ScoringWorker" => "ScoringWorker.dll",
                var other => throw new Xunit.Sdk.XunitException($"the README runs an unexpected project {other}"),
            };
            string[] arguments = [.. command.Skip(5)];
            if (program == "ScoringWorker.dll") worker = Start(program, arguments);
            else
            {
                var result = Run(program, [.. arguments, "--threads", "1"]);
                Assert.True(result.ExitCode == 0, result.Output);
            }
        }

        // → scoring/out/telemetry-new.scores.csv, scoring/out/telemetry-new.alerts.csv, input moved to scoring/done/
        string scoring = Path.Combine(_root, "samples", "ScoringWorker", "scoring");
        string scores = Path.Combine(scoring, "out", "telemetry-new.scores.csv"), alerts = Path.Combine(scoring, "out", "telemetry-new.alerts.csv");
        WaitFor(() => File.Exists(Path.Combine(scoring, "done", "telemetry-new.csv")) && File.Exists(scores) && File.Exists(alerts), "the worker to score the file", worker);
        Assert.Equal(401, File.ReadAllLines(scores).Length);
        int flagged = File.ReadAllLines(alerts).Length - 1;
        Assert.InRange(flagged, 5, 40);   // 10 planted anomalies, contamination 0.01

        // The scrape reflects exactly what the worker logged: records per batch, anomalies, and each batch's time in seconds.
        Assert.NotNull(scrape);
        List<Match> Batches() => [.. worker!.Lines.Select(l => ScoredBatch.Match(l)).Where(m => m.Success)];
        // Each batch is logged after it is counted; the file reaches done/ a moment before its last batch is logged.
        WaitFor(() => Batches().Sum(b => int.Parse(b.Groups["records"].Value, CultureInfo.InvariantCulture)) == 400, "the worker to log 400 scored records", worker);
        var batches = Batches();
        double loggedSeconds = batches.Sum(b => double.Parse(b.Groups["ms"].Value, CultureInfo.InvariantCulture)) / 1000;
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        string metrics = await http.GetStringAsync(scrape);
        Assert.Equal(400, Sample(metrics, "anomalyae_records_scored_total"));
        Assert.Equal(flagged, Sample(metrics, "anomalyae_records_anomalous_total"));
        Assert.Equal(0, Sample(metrics, "anomalyae_records_dead_lettered_total"));
        Assert.Equal(batches.Count, Sample(metrics, "anomalyae_batch_duration_seconds_count"));
        double seconds = Sample(metrics, "anomalyae_batch_duration_seconds_sum");
        // The log's figure is read a moment after the histogram's: equal up to that moment.
        Assert.InRange(seconds, loggedSeconds * 0.8 - 0.005, loggedSeconds + 0.005);
        Assert.Contains("# TYPE anomalyae_batch_duration_seconds histogram", metrics);
    }

    private static readonly Regex ScoredBatch = new(@"Scored (?<records>\d+) records: \d+ anomalies, \d+ dead-lettered, (?<ms>[\d.]+) ms", RegexOptions.CultureInvariant);

    /// <summary>The value of <paramref name="metric"/> in a Prometheus text exposition, summed over its label sets; fails when absent.</summary>
    private static double Sample(string exposition, string metric)
    {
        var values = exposition.Split('\n')
            .Where(l => l.StartsWith(metric + "{", StringComparison.Ordinal) || l.StartsWith(metric + " ", StringComparison.Ordinal))
            .Select(l => l[(l.LastIndexOf('}') is var brace and >= 0 ? brace + 1 : metric.Length)..].Split(' ', StringSplitOptions.RemoveEmptyEntries)[0])
            .Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToList();
        Assert.True(values.Count > 0, $"{metric} is not in the scrape:\n{exposition}");
        return values.Sum();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [Fact]
    public void TheWorkerCommandWritesEachLogLineOnce()
    {
        string folder = Path.Combine(_root, "samples", "ScoringWorker");
        var train = Run("AnomalyAE.Cli.dll", "train", "--data", Path.Combine(folder, "data", "telemetry-train.csv"), "--out", Path.Combine(folder, "model.aeml"),
            "--latent", "2", "--hidden", "32", "--epochs", "10", "--threads", "1");
        Assert.True(train.ExitCode == 0, train.Output);

        // The sample's configuration names a console sink; the command adds none of its own then.
        var worker = Start("AnomalyAE.Cli.dll", "worker", "--config", Path.Combine(folder, "appsettings.json"));
        string inbox = Path.Combine(folder, "scoring", "inbox");
        WaitFor(() => Directory.Exists(inbox), "the worker to create its inbox", worker);
        File.Copy(Path.Combine(folder, "data", "telemetry-new.csv"), Path.Combine(inbox, "telemetry-new.csv"));
        WaitFor(() => worker.Lines.Any(l => l.Contains("Finished telemetry-new.csv", StringComparison.Ordinal)), "the worker to finish the file", worker);

        Assert.Single(worker.Lines, l => l.Contains("Loaded model", StringComparison.Ordinal));
        Assert.Single(worker.Lines, l => l.Contains("Claimed telemetry-new.csv", StringComparison.Ordinal));
        Assert.Single(worker.Lines, l => l.Contains("Finished telemetry-new.csv", StringComparison.Ordinal));
        worker.Process.Kill(entireProcessTree: true);
        worker.Process.WaitForExit();

        // Without a Serilog section the shipped defaults log, to standard error only.
        var settings = JsonNode.Parse(File.ReadAllText(Path.Combine(folder, "appsettings.json")))!.AsObject();
        Assert.True(settings.Remove("Serilog"));
        string bare = Path.Combine(folder, "no-logging.json");
        File.WriteAllText(bare, settings.ToJsonString());
        var defaults = Start("AnomalyAE.Cli.dll", "worker", "--config", bare);
        WaitFor(() => defaults.Lines.Any(l => l.Contains("Loaded model", StringComparison.Ordinal)), "the worker to log its model", defaults);
        Assert.Single(defaults.ErrorLines, l => l.Contains("Loaded model", StringComparison.Ordinal));
        Assert.DoesNotContain(defaults.Lines.Except(defaults.ErrorLines), l => l.Contains("Loaded model", StringComparison.Ordinal));
    }

    [Fact]
    public async Task TheWorkerCommandServesItsPrometheusSettingThroughTheHostingHook()
    {
        string folder = Path.Combine(_root, "samples", "ScoringWorker");
        var train = Run("AnomalyAE.Cli.dll", "train", "--data", Path.Combine(folder, "data", "telemetry-train.csv"), "--out", Path.Combine(folder, "model.aeml"),
            "--latent", "2", "--hidden", "16", "--epochs", "3", "--threads", "1");
        Assert.True(train.ExitCode == 0, train.Output);
        string config = Path.Combine(folder, "appsettings.json");
        string Configured(string url)
        {
            var settings = JsonNode.Parse(File.ReadAllText(config))!;
            settings["AnomalyScoring"]!["Telemetry"]!["Prometheus"]!["Url"] = url;
            string path = Path.Combine(folder, $"prometheus-{Guid.NewGuid():N}.json");
            File.WriteAllText(path, settings.ToJsonString());
            return path;
        }

        // Not an http URL, and a port someone else holds: one line naming the setting, exit code 2.
        var bad = Run("AnomalyAE.Cli.dll", "worker", "--config", Configured("localhost:9464"));
        Assert.True(bad.ExitCode == 2 && bad.Output.Contains("AnomalyScoring:Telemetry:Prometheus:Url must be an http URL", StringComparison.Ordinal), bad.Output);
        using (var taken = new TcpListener(IPAddress.Loopback, 0))
        {
            taken.Start();
            int takenPort = ((IPEndPoint)taken.LocalEndpoint).Port;
            var busy = Run("AnomalyAE.Cli.dll", "worker", "--config", Configured($"http://localhost:{takenPort}/metrics"));
            Assert.True(busy.ExitCode == 2 && busy.Output.Contains($"Url http://localhost:{takenPort}/metrics cannot be served", StringComparison.Ordinal)
                        && busy.Output.Contains("Choose a free port", StringComparison.Ordinal), busy.Output);
        }

        // A free one is scraped.
        string scrape = $"http://localhost:{FreePort()}/metrics";
        var worker = Start("AnomalyAE.Cli.dll", "worker", "--config", Configured(scrape));
        WaitFor(() => worker.Lines.Any(l => l.Contains("Loaded model", StringComparison.Ordinal)), "the worker to load its model", worker);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        string metrics = await http.GetStringAsync(scrape);
        Assert.Contains("anomalyae_records_backlog", metrics);
    }

    [Fact]
    public void TheSampleLogsWhileItScoresWhenItsContentRootHasNoConfiguration()
    {
        // As a published worker started in a folder without appsettings.json: settings on the command line only.
        string folder = Path.Combine(_root, "samples", "ScoringWorker");
        var train = Run("AnomalyAE.Cli.dll", "train", "--data", Path.Combine(folder, "data", "telemetry-train.csv"), "--out", Path.Combine(folder, "model.aeml"),
            "--latent", "2", "--hidden", "16", "--epochs", "3", "--threads", "1");
        Assert.True(train.ExitCode == 0, train.Output);
        string bare = Directory.CreateDirectory(Path.Combine(_root, "bare")).FullName;
        var worker = Start("ScoringWorker.dll", "--contentRoot", bare, "--AnomalyScoring:ModelPath", Path.Combine(folder, "model.aeml"),
            "--AnomalyScoring:Inbox:Directory", Path.Combine(bare, "scoring"));
        string inbox = Path.Combine(bare, "scoring", "inbox");
        WaitFor(() => Directory.Exists(inbox), "the worker to create its inbox", worker);
        File.Copy(Path.Combine(folder, "data", "telemetry-new.csv"), Path.Combine(inbox, "telemetry-new.csv"));
        WaitFor(() => worker.Lines.Any(l => ScoredBatch.IsMatch(l)), "the worker to log a scored batch", worker);
        Assert.Contains(worker.Lines, l => l.Contains("Loaded model", StringComparison.Ordinal));
    }

    /// <summary>The commands of the README's bash block number <paramref name="block"/> (from 0), comments and blank lines left out.</summary>
    private static List<string> ReadmeCommands(int block)
    {
        var lines = File.ReadAllLines(Path.Combine(RepositoryRoot, "samples", "ScoringWorker", "README.md"));
        var starts = lines.Select((l, i) => (l, i)).Where(p => p.l == "```bash").Select(p => p.i).ToList();
        Assert.True(starts.Count > block, $"samples/ScoringWorker/README.md has no ```bash block number {block + 1}");
        return [.. lines.Skip(starts[block] + 1).TakeWhile(l => l != "```").Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#'))];
    }

    [Fact]
    public void TheSeriesModeCommandsWorkAsWrittenAndScoreEveryReadingOnlineOnce()
    {
        // The sample's NAB series travels with the copy.
        string sample = Path.Combine(RepositoryRoot, "samples", "data", "nab");
        string copy = Directory.CreateDirectory(Path.Combine(_root, "samples", "data", "nab")).FullName;
        foreach (string file in Directory.GetFiles(sample)) File.Copy(file, Path.Combine(copy, Path.GetFileName(file)));
        var commands = ReadmeCommands(block: 1);
        Assert.Equal(3, commands.Count);
        BackgroundProcess? worker = null;
        string scoring = Path.Combine(_root, "samples", "ScoringWorker", "series-scoring");
        foreach (string command in commands)
        {
            var words = command.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (words is ["dotnet", "run", "--project", "src/AnomalyAE.Cli", "--", ..])
            {
                var result = Run("AnomalyAE.Cli.dll", [.. words.Skip(5), "--threads", "1"]);
                Assert.True(result.ExitCode == 0, result.Output);
            }
            else if (words is ["dotnet", "run", "--project", "samples/ScoringWorker", "--", ..]) worker = Start("ScoringWorker.dll", [.. words.Skip(5)]);
            else
            {
                // The feed, run by a shell as the user runs it, once the worker has made its inbox.
                Assert.StartsWith("awk ", command);
                WaitFor(() => Directory.Exists(Path.Combine(scoring, "inbox")), "the worker to create series-scoring/inbox", worker);
                var feed = Start("/bin/bash", "-c", command);
                Assert.True(feed.Process.WaitForExit(Patience), $"the feed hung:\n{feed}");
                Assert.True(feed.Process.ExitCode == 0, feed.ToString());
            }
        }

        WaitFor(() => File.Exists(Path.Combine(scoring, "done", "machine-temperature.csv")), "the worker to finish the series", worker);
        var scores = File.ReadAllLines(Path.Combine(scoring, "out", "machine-temperature.scores.csv")).Skip(1).Select(l => l.Split(',')).ToList();
        var rejected = File.ReadAllLines(Path.Combine(scoring, "deadletter", "machine-temperature.errors.csv")).Skip(1).ToList();
        Assert.Equal(22_695, scores.Count + rejected.Count);                                   // every reading once
        // The file's clock repeats 02:00 to 02:55 on 2014-01-07: eleven readings out of order, one at 02:55 again with another value.
        Assert.Equal(11, rejected.Count(r => r.Contains("before its last step", StringComparison.Ordinal)));
        Assert.Single(rejected, r => r.Contains("'2014-01-07 02:55:00' in series (the one series) again, with other values", StringComparison.Ordinal));
        Assert.Equal(12, rejected.Count);
        Assert.All(scores.Take(63), s => Assert.Equal("NaN", s[1]));                            // no full window yet
        Assert.All(scores.Skip(63), s => Assert.True(float.IsFinite(float.Parse(s[1], CultureInfo.InvariantCulture)), string.Join(',', s)));
        var alerts = File.ReadAllLines(Path.Combine(scoring, "out", "machine-temperature.alerts.csv"));
        Assert.StartsWith("id,Score,PredictedLabel,series,step,top1_feature,top1_share", alerts[0]);
        // Alerts in NAB's labelled windows after the training part (the machine's failures of 2013-12-16, 2014-01-28 and 2014-02-08).
        string[][] windows = [["2013-12-15 17:50:00", "2013-12-17 17:00:00"], ["2014-01-27 14:20:00", "2014-01-29 13:30:00"], ["2014-02-07 14:55:00", "2014-02-09 14:05:00"]];
        var steps = alerts.Skip(1).Select(a => a.Split(',')[4]).ToList();
        int found = windows.Count(w => steps.Any(t => string.CompareOrdinal(t, w[0]) >= 0 && string.CompareOrdinal(t, w[1]) <= 0));
        Assert.True(found >= 2, $"alerts in {found} of NAB's three labelled windows after training");
    }

    private (int ExitCode, string Output) Run(string program, params string[] arguments)
    {
        var process = Start(program, arguments);
        Assert.True(process.Process.WaitForExit(Patience), $"{program} {string.Join(' ', arguments)} hung:\n{process}");
        process.Process.WaitForExit();
        return (process.Process.ExitCode, process.ToString());
    }

    /// <summary>Starts a program of this build (e.g. AnomalyAE.Cli.dll) through dotnet, or one given by its absolute path.</summary>
    private BackgroundProcess Start(string program, params string[] arguments) =>
        Launch(program.StartsWith('/') ? program : "dotnet", program.StartsWith('/') ? arguments : [Path.Combine(AppContext.BaseDirectory, program), .. arguments]);

    /// <summary>Starts <paramref name="file"/> (a program of this build through dotnet, or an absolute path) from the copy's root.</summary>
    private BackgroundProcess Launch(string file, string[] arguments)
    {
        var start = new ProcessStartInfo(file, arguments)
        {
            WorkingDirectory = _root,   // the README's commands run from the repository's root
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        var process = new BackgroundProcess(Process.Start(start)!);
        _background.Add(process.Process);
        return process;
    }

    private static void WaitFor(Func<bool> condition, string what, BackgroundProcess? process)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > Patience || process?.Process.HasExited == true)
                throw new Xunit.Sdk.XunitException($"gave up waiting for {what}:\n{process}");
            Thread.Sleep(100);
        }
    }

    private sealed class BackgroundProcess
    {
        private readonly ConcurrentQueue<string> _lines = new();
        private readonly ConcurrentQueue<string> _errorLines = new();

        public BackgroundProcess(Process process)
        {
            Process = process;
            process.OutputDataReceived += (_, e) => { if (e.Data is not null) _lines.Enqueue(e.Data); };
            process.ErrorDataReceived += (_, e) =>
            {
                if (e.Data is null) return;
                _errorLines.Enqueue(e.Data);
                _lines.Enqueue(e.Data);
            };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
        }

        public Process Process { get; }

        /// <summary>Every line of both output streams so far.</summary>
        public IReadOnlyList<string> Lines => [.. _lines];

        /// <summary>The lines of standard error so far.</summary>
        public IReadOnlyList<string> ErrorLines => [.. _errorLines];

        public override string ToString() => string.Join('\n', _lines);
    }

    private static string FindRepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
            if (File.Exists(Path.Combine(folder.FullName, "AnomalyAE.sln"))) return folder.FullName;
        throw new InvalidOperationException($"AnomalyAE.sln not found above {AppContext.BaseDirectory}.");
    }
}
