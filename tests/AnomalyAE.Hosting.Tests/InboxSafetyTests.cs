using static AnomalyAE.Hosting.Tests.WorkerHost;
using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using AnomalyAE.Hosting.Channels.Inbox;
using AnomalyAE.Hosting.Records;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AnomalyAE.Hosting.Tests;

/// <summary>One model for all inbox safety tests (training is the slow part).</summary>
public sealed class InboxModelFixture : IDisposable
{
    public string Model { get; } = Path.Combine(Directory.CreateTempSubdirectory("anomalyae-inbox-model-").FullName, "model.aeml");

    public InboxModelFixture() => TestModels.Train(Model);

    public void Dispose() => Directory.Delete(Path.GetDirectoryName(Model)!, recursive: true);
}

/// <summary>
/// The directory inbox cannot lose or duplicate data: complete-file hand-off (settle time, .ready marker), claims by
/// rename into a per-worker folder, leases, unique output names.
/// </summary>
public sealed class InboxSafetyTests(InboxModelFixture fixture) : IClassFixture<InboxModelFixture>, IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("anomalyae-inbox-safety-").FullName;
    private readonly List<string> _logs = [];

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string Folder(string name) => Path.Combine(_root, "scoring", name);

    private IHost Build(Dictionary<string, string?>? extra = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["AnomalyScoring:ModelPath"] = fixture.Model,
            ["AnomalyScoring:Inbox:Directory"] = "scoring",
            ["AnomalyScoring:Inbox:SettleTime"] = "00:00:00",
            ["AnomalyScoring:Inbox:QuietTime"] = "00:00:00.300",
            ["AnomalyScoring:BatchSize"] = "64",
            ["AnomalyScoring:IdleDelay"] = "00:00:00.030",
        };
        foreach (var (key, value) in extra ?? []) settings[key] = value;
        return WorkerHost.Build(_root, _logs, settings);
    }



    private string[] ScoredIds(string stem) =>
        [.. File.ReadAllLines(Path.Combine(Folder("out"), stem + ".scores.csv")).Skip(1).Select(l => l.Split(',')[0])];

    private bool Done(string name) => File.Exists(Path.Combine(Folder("done"), name));

    private string[] DataFilesInProcessing() =>
        [.. Directory.GetFiles(Folder("processing"), "*", SearchOption.AllDirectories).Where(f => !Path.GetFileName(f).StartsWith('.'))];

    [Fact]
    public async Task TwoWorkersOnOneInboxScoreEveryRecordExactlyOnce()
    {
        using var first = Build();
        using var second = Build();
        await Task.WhenAll(first.StartAsync(), second.StartAsync());
        const int files = 16, rows = 150;
        for (int f = 0; f < files; f++) Drop(Folder("inbox"), $"part{f}.csv", TestModels.Csv(TestModels.Rows(rows, seed: 100 + f, prefix: $"f{f}-")));

        WaitFor(() => Enumerable.Range(0, files).All(f => Done($"part{f}.csv")), "every file done");
        await Task.WhenAll(first.StopAsync(), second.StopAsync());

        var ids = Enumerable.Range(0, files).SelectMany(f => ScoredIds($"part{f}")).ToList();
        Assert.Equal(files * rows, ids.Count);
        Assert.Equal(files * rows, ids.Distinct().Count());
        Assert.Equal(files, Directory.GetFiles(Folder("out"), "*.scores.csv").Length); // no file scored twice under another name
        Assert.Empty(DataFilesInProcessing());
        Assert.Empty(Directory.GetFiles(Folder("deadletter")));
        lock (_logs) Assert.DoesNotContain(_logs, l => l.Contains("Resuming") || l.Contains("vanished") || l.Contains("took it over"));
    }

    [Fact]
    public async Task AFileWrittenInPlaceInSeveralFlushesIsScoredInFull()
    {
        using var host = Build(new() { ["AnomalyScoring:Inbox:SettleTime"] = "00:00:00.800", ["AnomalyScoring:Inbox:QuietTime"] = "00:00:01" });
        await host.StartAsync();
        var rows = TestModels.Rows(1000, seed: 21);
        var lines = TestModels.Csv(rows).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Directory.CreateDirectory(Folder("inbox"));
        using (var writer = new StreamWriter(Path.Combine(Folder("inbox"), "slow.csv")))
        {
            // Header plus 200 rows per flush, 350 ms apart: about 1.75 s in all, the last line cut mid-row between flushes.
            int perChunk = lines.Length / 5 + 1;
            for (int chunk = 0; chunk * perChunk < lines.Length; chunk++)
            {
                var text = string.Concat(lines.Skip(chunk * perChunk).Take(perChunk).Select(l => l + "\n"));
                int cut = chunk * perChunk + perChunk < lines.Length ? text.Length - 7 : text.Length;
                writer.Write(text[..cut]);
                writer.Flush();
                Thread.Sleep(350);
                writer.Write(text[cut..]);
            }
        }
        WaitFor(() => Done("slow.csv"), "the slow file done");
        await host.StopAsync();

        Assert.Equal(rows.Select(r => r.Id), ScoredIds("slow"));
        Assert.False(File.Exists(Path.Combine(Folder("deadletter"), "slow.errors.csv")));
    }

    [Fact]
    public async Task WithRequireReadyMarkerOnlyMarkedFilesAreClaimed()
    {
        using var host = Build(new() { ["AnomalyScoring:Inbox:RequireReadyMarker"] = "true" });
        await host.StartAsync();
        var rows = TestModels.Rows(200, seed: 22);
        Directory.CreateDirectory(Folder("inbox"));
        File.WriteAllText(Path.Combine(Folder("inbox"), "marked.csv"), TestModels.Csv(rows));
        Thread.Sleep(1000);
        Assert.True(File.Exists(Path.Combine(Folder("inbox"), "marked.csv")), "claimed without a .ready marker");

        File.WriteAllText(Path.Combine(Folder("inbox"), "marked.csv.ready"), "");
        WaitFor(() => Done("marked.csv"), "the marked file done");
        await host.StopAsync();
        Assert.Equal(rows.Select(r => r.Id), ScoredIds("marked"));
        Assert.Empty(Directory.GetFiles(Folder("inbox")));
    }

    [Fact]
    public async Task TheSameNameDroppedTwiceKeepsBothResultsAndBothDoneCopies()
    {
        using var host = Build();
        await host.StartAsync();
        string firstCsv = TestModels.Csv(TestModels.Rows(120, seed: 31, prefix: "a")), secondCsv = TestModels.Csv(TestModels.Rows(80, seed: 32, prefix: "b"));
        Drop(Folder("inbox"), "same.csv", firstCsv);
        WaitFor(() => Done("same.csv"), "the first same.csv");
        Drop(Folder("inbox"), "same.csv", secondCsv);
        WaitFor(() => Done("same-2.csv"), "the second same.csv");
        // A third one while no output exists yet for it, next to a JSON-lines file of the same name.
        Drop(Folder("inbox"), "same.jsonl", "{\"id\":\"j1\",\"x0\":1}\n");
        WaitFor(() => Done("same-3.jsonl"), "same.jsonl");
        await host.StopAsync();

        Assert.All(ScoredIds("same"), id => Assert.StartsWith("a", id));
        Assert.Equal(120, ScoredIds("same").Length);
        Assert.All(ScoredIds("same-2"), id => Assert.StartsWith("b", id));
        Assert.Equal(80, ScoredIds("same-2").Length);
        Assert.Equal(firstCsv, File.ReadAllText(Path.Combine(Folder("done"), "same.csv")));
        Assert.Equal(secondCsv, File.ReadAllText(Path.Combine(Folder("done"), "same-2.csv")));
        Assert.Contains("field 'x1' is missing", File.ReadAllText(Path.Combine(Folder("deadletter"), "same-3.errors.csv")));
    }

    [Fact]
    public async Task OnlyFilesWhoseOwnerIsGoneAreResumed()
    {
        // Two workers' folders as kill -9 would leave them: the live one keeps renewing its lease, the dead one stopped.
        string dead = Path.Combine(Folder("processing"), "dead-worker"), live = Path.Combine(Folder("processing"), "live-worker");
        Drop(dead, "dead.csv", TestModels.Csv(TestModels.Rows(100, seed: 41)));
        File.WriteAllText(Path.Combine(dead, ".lease"), "dead");
        Drop(live, "live.csv", TestModels.Csv(TestModels.Rows(90, seed: 42)));
        using var heartbeat = new Timer(_ => File.WriteAllText(Path.Combine(live, ".lease"), DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture)), null, 0, 200);

        using var host = Build(new() { ["AnomalyScoring:Inbox:LeaseTimeout"] = "00:00:01.500" });
        await host.StartAsync();
        WaitFor(() => Done("dead.csv"), "the dead worker's file resumed");
        Thread.Sleep(2500);
        Assert.True(File.Exists(Path.Combine(live, "live.csv")), "a live worker's file was taken");
        Assert.False(File.Exists(Path.Combine(Folder("out"), "live.scores.csv")));
        Assert.False(Directory.Exists(dead), "the dead worker's folder was not cleaned up");

        heartbeat.Change(Timeout.Infinite, Timeout.Infinite); // the live worker dies too
        WaitFor(() => Done("live.csv"), "the second worker's file resumed after its lease expired");
        await host.StopAsync();
        Assert.Equal(100, ScoredIds("dead").Length);
        Assert.Equal(90, ScoredIds("live").Length);
        lock (_logs) Assert.Contains(_logs, l => l.Contains("Resuming dead.csv, left in processing/dead-worker"));
    }

    /// <summary>A channel driven by the test, for files handed over complete: no settle time, no quiet time.</summary>
    private InboxChannel Channel() =>
        new(new InboxOptions { Directory = Path.Combine(_root, "scoring"), SettleTime = TimeSpan.Zero, QuietTime = TimeSpan.Zero }, "id", NullLogger.Instance);

    [Fact]
    public async Task AWorkerStoppedMidFileReleasesItForTheNextWorker()
    {
        Drop(Folder("inbox"), "long.csv", TestModels.Csv(TestModels.Rows(300, seed: 51)));
        await using (var stopping = Channel())
        {
            var batch = await stopping.ReadAsync(100, CancellationToken.None);
            Assert.Equal(100, batch.Count);
            Assert.True(File.Exists(Path.Combine(Folder("processing"), stopping.WorkerId, "long.csv")));
            await stopping.CommitAsync(batch.Uniform(0.5f), CancellationToken.None);
        } // stops mid-file: the file is released to processing/, its partial results are not written
        Assert.True(File.Exists(Path.Combine(Folder("processing"), "long.csv")));
        Assert.False(File.Exists(Path.Combine(Folder("out"), "long.scores.csv")));

        using var next = Build();
        await next.StartAsync();
        WaitFor(() => Done("long.csv"), "the released file resumed");
        await next.StopAsync();
        Assert.Equal(300, ScoredIds("long").Distinct().Count());
        Assert.Equal(300, ScoredIds("long").Length);
        Assert.Empty(DataFilesInProcessing());
        Assert.Empty(Directory.GetDirectories(Folder("processing"))); // workers that stop cleanly remove their folders
    }

    [Fact]
    public async Task AFileThatGrowsAfterItsClaimIsReadOnNotDropped()
    {
        Drop(Folder("inbox"), "growing.csv", TestModels.Csv(TestModels.Rows(50, seed: 52)));
        await using var channel = Channel();
        var batch = await channel.ReadAsync(1000, CancellationToken.None);
        Assert.Equal(50, batch.Count);
        File.AppendAllText(Path.Combine(Folder("processing"), channel.WorkerId, "growing.csv"), "late,1,2,3,4,5,6,7,8\n");
        await channel.CommitAsync(batch.Uniform(0.5f), CancellationToken.None);
        Assert.False(Done("growing.csv"));

        var late = await channel.ReadAsync(1000, CancellationToken.None);
        Assert.Equal(["late"], late.Ids());
        await channel.CommitAsync(late.Uniform(0.5f), CancellationToken.None);
        Assert.True(Done("growing.csv"));
        Assert.Equal(51, ScoredIds("growing").Length);
        Assert.Equal("late", ScoredIds("growing")[^1]);
        Assert.False(File.Exists(Path.Combine(Folder("deadletter"), "growing.errors.csv")));
    }

    [Fact]
    public async Task ABatchThatFailsToScoreIsRetriedThenDeadLetteredNeverDropped()
    {
        Drop(Folder("inbox"), "failing.csv", TestModels.Csv(TestModels.Rows(30, seed: 53)));
        await using var channel = Channel();
        var first = await channel.ReadAsync(20, CancellationToken.None);
        var retried = await channel.ReadAsync(20, CancellationToken.None); // the first was never committed: scoring failed
        Assert.Equal(first.Ids(), retried.Ids());
        Assert.Equal(first.Ids(), (await channel.ReadAsync(20, CancellationToken.None)).Ids());
        var rest = await channel.ReadAsync(20, CancellationToken.None); // third failure: dead-lettered, reading goes on
        Assert.Equal(10, rest.Count);
        await channel.CommitAsync(rest.Uniform(0.5f), CancellationToken.None);

        Assert.Equal(10, ScoredIds("failing").Length);
        var errors = File.ReadAllLines(Path.Combine(Folder("deadletter"), "failing.errors.csv"));
        Assert.Equal(1 + 20, errors.Length);
        Assert.All(errors.Skip(1), l => Assert.Contains("scoring failed 3 times", l));
        Assert.True(Done("failing.csv"));
    }

    [Fact]
    public void InboxOptionsAreValidated()
    {
        var options = new ScoringOptions { ModelPath = fixture.Model, Inbox = new InboxOptions { SettleTime = TimeSpan.FromSeconds(-1), QuietTime = TimeSpan.FromHours(2), LeaseTimeout = TimeSpan.Zero } };
        var result = new ScoringOptionsValidator().Validate(null, options);
        Assert.True(result.Failed);
        Assert.Contains("AnomalyScoring:Inbox:SettleTime", result.FailureMessage);
        Assert.Contains("AnomalyScoring:Inbox:QuietTime", result.FailureMessage);
        Assert.Contains("AnomalyScoring:Inbox:LeaseTimeout", result.FailureMessage);
        Assert.True(new ScoringOptionsValidator().Validate(null, new ScoringOptions { ModelPath = fixture.Model }).Succeeded);
    }
}
