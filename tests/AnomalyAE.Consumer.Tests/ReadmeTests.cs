using System.Collections.Concurrent;
using System.Diagnostics;
using System.Reflection.PortableExecutable;
using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace AnomalyAE.Consumer.Tests;

/// <summary>
/// README.md's shell blocks: each is marked (see <see cref="Readme"/>); the runnable ones run as written in a copy of
/// the repository (<see cref="PackageFeed"/>, whose pack they make) and print what they document; the ones kept out of
/// CI are the ones listed here, with the reason.
/// </summary>
[Collection(PackageFeedCollection.Name)]
public sealed class ReadmeTests(PackageFeed feed, ITestOutputHelper log)
{
    /// <summary>The blocks not run in CI, by their first command, and why. A block marked so must be listed, and the other way round.</summary>
    private static readonly Dictionary<string, string> NotInCi = new()
    {
        ["dotnet run --project samples/MnistDemo -c Release"] =
            "the main job trains for about a minute after a build (tests/AnomalyAE.Samples.Tests runs it shortened), and ./test.sh is the test run that runs this README",
        ["dotnet run --project samples/TimeSeries -c Release -- output/timeseries"] =
            "tests/AnomalyAE.Samples.Tests runs the sample (shortened), which keeps the suite short",
        ["dotnet run --project samples/WebScoring"] =
            "a server on the fixed port 5080 that runs until stopped; WebScoringSampleTests and WebScoringLogTests run the same app on a free port",
    };

    [Fact]
    public void EveryShellBlockIsMarkedAndTheBlocksKeptOutOfCiAreTheListedOnes()
    {
        var blocks = Readme.ShellBlocks();
        Assert.All(blocks, b => Assert.True(b.Marker != "",
            $"README.md line {b.Line}: a shell block needs '<!-- runnable -->' or '<!-- runnable: not in CI — REASON -->' on the line before its fence"));
        Assert.All(blocks, b => Assert.NotEmpty(b.Steps));
        var skipped = blocks.Where(b => !b.Runnable).ToDictionary(b => Command(b.FirstCommand), b => b.Reason ?? "");
        Assert.Equal(NotInCi.OrderBy(p => p.Key), skipped.OrderBy(p => p.Key));
        Assert.Contains(blocks, b => b.Runnable && b.Steps.Any(s => s.Command.StartsWith("dotnet pack AnomalyAE.sln", StringComparison.Ordinal)));
    }

    [Fact]
    public void TheVersionsTheReadmeNamesAreTheRepositorysVersion()
    {
        string text = File.ReadAllText(Readme.Path);
        var named = Regex.Matches(text, @"AnomalyAE[\w.]*\s+--version\s+(?<v>\d[\w.-]*)").Select(m => m.Groups["v"].Value)
            .Concat(Regex.Matches(text, @"AnomalyAE[\w.]*\.(?<v>\d+\.\d+\.\d+[\w.-]*?)\.nupkg").Select(m => m.Groups["v"].Value))
            .Concat(Regex.Matches(text, @"#\s*prints:\s*(?<v>\d+\.\d+\.\d+\S*)\s*$", RegexOptions.Multiline).Select(m => m.Groups["v"].Value))
            .ToList();
        Assert.True(named.Count >= 3, "the README names the version in its install commands");
        Assert.All(named, v => Assert.Equal(feed.Version, v));
        Assert.Contains($"stable packages of version {feed.Version}", text);
    }

    [Fact]
    public void EveryRunnableBlockRunsAndPrintsWhatItDocuments()
    {
        var run = feed.Readme;
        log.WriteLine($"README commands: {run.Steps.Count} in {feed.ReadmeElapsed.TotalSeconds:F0} s");
        for (int i = 0; i < run.Steps.Count; i++)
            log.WriteLine($"  line {run.Steps[i].Line}: {(run.Outputs.ContainsKey(i) ? "ran" : "not reached")}: {Command(run.Steps[i].Command)}");
        Assert.True(run.FailedStep is null,
            run.FailedStep is { } failed ? $"{run.Describe(failed)} failed (exit code {run.Result.ExitCode}):\n{Tail(run.Outputs.GetValueOrDefault(failed) ?? run.Result.Output)}" : "");
        for (int i = 0; i < run.Steps.Count; i++)
            foreach (string expected in run.Steps[i].Prints)
                Assert.True(run.Outputs[i].Contains(expected, StringComparison.Ordinal),
                    $"{run.Describe(i)} documents that it prints '{expected}'; it printed:\n{Tail(run.Outputs[i])}");
    }

    [Fact]
    public void TheLinuxPublishesOfTheReadmeCarryNoWindowsNatives()
    {
        var run = feed.Readme;
        var publishes = run.Steps.Select(s => Regex.Match(s.Command, @"^dotnet publish .*-r linux-x64 .*-o (?<out>\S+)")).Where(m => m.Success).ToList();
        Assert.NotEmpty(publishes);
        foreach (var publish in publishes)
        {
            string folder = Path.Combine(feed.Repository, publish.Groups["out"].Value);
            Assert.True(Directory.Exists(folder), $"{folder} was not published:\n{Tail(run.Result.Output)}");
            var natives = Directory.GetFiles(folder, "*.dll", SearchOption.AllDirectories).Where(IsNativeWindowsLibrary).Select(Path.GetFileName).ToList();
            Assert.True(natives.Count == 0, $"{publish.Groups["out"].Value} carries Windows natives: {string.Join(", ", natives)}");
        }
    }

    [Fact]
    public void ThePublishedScoringOnlyWorkerScoresTheExportedModelAndLogsWithoutAConfigurationFile()
    {
        // The README published the worker without libtorch and exported model.onnx; started in an empty folder, with
        // its settings on the command line only, it must say what it does.
        var run = feed.Readme;
        string worker = Path.Combine(feed.Repository, "output", "scoring-worker", "ScoringWorker");
        string model = Path.Combine(feed.Repository, "output", "model.onnx");
        Assert.True(File.Exists(worker) && File.Exists(model), $"the README's publish and export did not run:\n{Tail(run.Result.Output)}");
        string folder = Directory.CreateTempSubdirectory("anomalyae-scoring-only-").FullName;
        try
        {
            var start = new ProcessStartInfo(worker, ["--contentRoot", folder, "--AnomalyScoring:ModelPath", model])
            {
                WorkingDirectory = folder,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            var lines = new ConcurrentQueue<string>();
            string scores;
            using var process = Process.Start(start)!;
            process.OutputDataReceived += (_, e) => { if (e.Data is not null) lines.Enqueue(e.Data); };
            process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lines.Enqueue(e.Data); };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            try
            {
                string inbox = Path.Combine(folder, "scoring", "inbox");
                scores = Path.Combine(folder, "scoring", "out", "telemetry-new.scores.csv");
                WaitFor(() => Directory.Exists(inbox), "the worker to create its inbox", process, lines);
                File.Copy(Path.Combine(feed.Repository, "samples", "ScoringWorker", "data", "telemetry-new.csv"), Path.Combine(inbox, "telemetry-new.csv"));
                WaitFor(() => lines.Any(l => l.Contains("Scored 400 records", StringComparison.Ordinal)), "the worker to log its batch", process, lines);
                // The results are published once the file has been quiet for the inbox's QuietTime (its writer may still append).
                WaitFor(() => File.Exists(scores), "the worker to publish the file's scores", process, lines);
            }
            finally
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit();
            }
            Assert.Equal(401, File.ReadLines(scores).Count());
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static void WaitFor(Func<bool> condition, string what, Process process, IEnumerable<string> lines)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > TimeSpan.FromMinutes(5) || process.HasExited)
                throw new Xunit.Sdk.XunitException($"gave up waiting for {what}:\n{string.Join('\n', lines)}");
            Thread.Sleep(100);
        }
    }

    /// <summary>A PE file without .NET metadata: a native Windows library.</summary>
    private static bool IsNativeWindowsLibrary(string path)
    {
        using var stream = File.OpenRead(path);
        using var pe = new PEReader(stream);
        try { return !pe.HasMetadata; }
        catch (BadImageFormatException) { return false; }   // not a PE file at all
    }

    private static string Command(string command) => command.Split("  #")[0].Trim();

    private static string Tail(string text, int lines = 60) => string.Join('\n', text.Split('\n').TakeLast(lines));
}
