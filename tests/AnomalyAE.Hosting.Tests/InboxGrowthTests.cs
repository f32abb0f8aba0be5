using static AnomalyAE.Hosting.Tests.WorkerHost;
using AnomalyAE.Hosting.Channels.Inbox;
using AnomalyAE.Hosting.Health;
using AnomalyAE.Hosting.Records;
using AnomalyAE.Hosting.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;

namespace AnomalyAE.Hosting.Tests;

/// <summary>
/// Files written in place while the worker reads them (issue #29): a claimed file that still grows is read on and
/// finished once quiet, every row scored once into one result file; what cannot be finished (truncated, removed, taken
/// over) is dead-lettered or logged, and counted.
/// </summary>
public sealed class InboxGrowthTests(InboxModelFixture fixture) : IClassFixture<InboxModelFixture>, IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("anomalyae-inbox-growth-").FullName;
    private readonly List<string> _logs = [];

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string Folder(string name) => Path.Combine(_root, "scoring", name);

    /// <summary>A worker with short settle and quiet times (0.3 s, 1.5 s) unless <paramref name="extra"/> says otherwise.</summary>
    private IHost Build(Dictionary<string, string?>? extra = null, bool defaults = false)
    {
        var settings = new Dictionary<string, string?>
        {
            ["AnomalyScoring:ModelPath"] = fixture.Model,
            ["AnomalyScoring:Inbox:Directory"] = "scoring",
        };
        if (!defaults)
        {
            settings["AnomalyScoring:Inbox:SettleTime"] = "00:00:00.300";
            settings["AnomalyScoring:Inbox:QuietTime"] = "00:00:01.500";
            settings["AnomalyScoring:BatchSize"] = "64";
            settings["AnomalyScoring:IdleDelay"] = "00:00:00.030";
        }
        foreach (var (key, value) in extra ?? []) settings[key] = value;
        return WorkerHost.Build(_root, _logs, settings);
    }

    private string[] ScoredIds(string stem) =>
        [.. CsvIds(File.ReadAllText(Path.Combine(Folder("out"), stem + ".scores.csv")))];

    /// <summary>The first cells of a CSV text without its header (a quoted cell may hold a line break).</summary>
    private static List<string> CsvIds(string text)
    {
        var ids = new List<string>();
        using var reader = CsvFormat.Reader(new StringReader(text));
        foreach (var row in reader) ids.Add(row[0].ToString());
        return ids[1..];
    }

    private bool Done(string name) => File.Exists(Path.Combine(Folder("done"), name));

    private string[] Logs()
    {
        lock (_logs) return [.. _logs];
    }

    [Fact]
    public async Task AWriterPausingLongerThanTheSettleTimeHasEveryRowScoredOnceWithDefaultSettings()
    {
        // Issue #29 as reported: 3,000 rows written straight into inbox/, flushed and paused 3 s after rows 1, 1,001 and 2,001.
        using var host = Build(defaults: true);
        await host.StartAsync();
        var rows = TestModels.Rows(3000, seed: 61);
        await InPlaceWriter.WriteAsync(Path.Combine(Folder("inbox"), "paused.csv"), InPlaceWriter.Segments(rows, 1, 1001, 2001), TimeSpan.FromSeconds(3));
        WaitFor(() => Done("paused.csv"), "the paused file done");
        await host.StopAsync();

        Assert.Equal(rows.Select(r => r.Id), ScoredIds("paused"));
        Assert.Single(Directory.GetFiles(Folder("out"), "*.scores.csv"));
        Assert.Empty(Directory.GetFiles(Folder("deadletter")));
        Assert.Equal(3000, host.Services.GetRequiredService<WorkerHealth>().RecordsScored);
    }

    [Fact]
    public async Task PausesMidRecordInsideAQuotedCellAndALastLineWithoutLineBreakAreReadWhole()
    {
        using var host = Build();
        using var incomplete = new IncompleteFiles(host.Services);
        await host.StartAsync();
        var rows = TestModels.Rows(400, seed: 62);
        string Line(int r) => InPlaceWriter.Line(rows[r].Id, rows[r]);
        string header = "id," + string.Join(',', TestModels.FeatureNames) + "\n";
        string quoted = InPlaceWriter.Line("\"two\nlines\"", rows[200]);
        string last = Line(399)[..^1]; // no line break at the end of the file
        int cut = last.Length / 2;
        var segments = new List<string>
        {
            header + string.Concat(Enumerable.Range(0, 100).Select(Line)) + Line(100)[..7], // cut inside a row
            Line(100)[7..] + string.Concat(Enumerable.Range(101, 99).Select(Line)) + quoted[..5], // cut inside the quoted cell, before its line break
            quoted[5..] + string.Concat(Enumerable.Range(201, 198).Select(Line)) + last[..cut], // the last row half written
            last[cut..],
        };
        await InPlaceWriter.WriteAsync(Path.Combine(Folder("inbox"), "cut.csv"), segments, TimeSpan.FromSeconds(0.8));
        WaitFor(() => Done("cut.csv"), "the file done");
        await host.StopAsync();

        var expected = rows.Select(r => r.Id).ToArray();
        expected[200] = "two\nlines";
        Assert.Equal(expected, ScoredIds("cut"));
        Assert.Empty(Directory.GetFiles(Folder("deadletter")));
        Assert.Empty(incomplete.Reasons);
    }

    [Fact]
    public async Task TwoWorkersAndThreePausedWritersScoreEveryRowOnceIntoOneFileEach()
    {
        using var first = Build();
        using var second = Build();
        await Task.WhenAll(first.StartAsync(), second.StartAsync());
        var files = Enumerable.Range(0, 3).Select(f => TestModels.Rows(600, seed: 70 + f, prefix: $"w{f}-")).ToList();
        await Task.WhenAll(files.Select((rows, f) =>
            InPlaceWriter.WriteAsync(Path.Combine(Folder("inbox"), $"writer{f}.csv"), InPlaceWriter.Segments(rows, 150, 300, 450), TimeSpan.FromSeconds(0.8))));
        WaitFor(() => Enumerable.Range(0, 3).All(f => Done($"writer{f}.csv")), "every file done");
        await Task.WhenAll(first.StopAsync(), second.StopAsync());

        for (int f = 0; f < 3; f++) Assert.Equal(files[f].Select(r => r.Id), ScoredIds($"writer{f}"));
        Assert.Equal(3, Directory.GetFiles(Folder("out"), "*.scores.csv").Length);
        Assert.Empty(Directory.GetFiles(Folder("deadletter")));
        Assert.DoesNotContain(Logs(), l => l.Contains("Resuming") || l.Contains("taken over") || l.Contains("Retrying"));
        long scored = first.Services.GetRequiredService<WorkerHealth>().RecordsScored + second.Services.GetRequiredService<WorkerHealth>().RecordsScored;
        Assert.Equal(1800, scored);
    }

    [Fact]
    public async Task AWriterThatTruncatesTheFileIsDeadLetteredWithTheRowsScoredAndCounted()
    {
        using var host = Build(new() { ["AnomalyScoring:Inbox:QuietTime"] = "00:00:05" });
        using var incomplete = new IncompleteFiles(host.Services);
        await host.StartAsync();
        var rows = TestModels.Rows(100, seed: 63);
        using (var writer = new InPlaceWriter(Path.Combine(Folder("inbox"), "cut.csv")))
        {
            writer.Write(TestModels.Csv(rows));
            // Claimed, scored, and its progress saved: the worker waits for more.
            WaitFor(() => Directory.Exists(Folder("processing")) && Directory.GetFiles(Folder("processing"), ".cut.csv.progress", SearchOption.AllDirectories).Length == 1, "a checkpoint");
            writer.Truncate(0);
            writer.Write(TestModels.Csv(TestModels.Rows(3, seed: 64, prefix: "new")));
        }
        WaitFor(() => File.Exists(Path.Combine(Folder("deadletter"), "cut.errors.csv")), "the dead letter");
        await host.StopAsync();

        Assert.Equal(rows.Select(r => r.Id), ScoredIds("cut"));
        string errors = File.ReadAllText(Path.Combine(Folder("deadletter"), "cut.errors.csv"));
        Assert.Contains("cut.csv was truncated from", errors);
        Assert.Contains("after 100 rows were scored", errors);
        Assert.StartsWith("id,x0", File.ReadAllText(Path.Combine(Folder("deadletter"), "cut.csv"))); // the input as it is now
        Assert.Contains(Logs(), l => l.StartsWith("Warning: cut.csv was truncated from"));
        Assert.Equal(["truncated"], incomplete.Reasons);
        Assert.Empty(Directory.GetFiles(Folder("processing"), "*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task RowsAppendedAfterTheFileWasFinishedAreHandedOnAsANewFileAndCounted()
    {
        using var host = Build(new() { ["AnomalyScoring:Inbox:QuietTime"] = "00:00:01" });
        using var incomplete = new IncompleteFiles(host.Services);
        await host.StartAsync();
        var rows = TestModels.Rows(120, seed: 67);
        var segments = InPlaceWriter.Segments(rows, 100);
        using (var writer = new InPlaceWriter(Path.Combine(Folder("inbox"), "late.csv")))
        {
            writer.Write(segments[0]);
            WaitFor(() => Done("late.csv"), "the file finished after its quiet time");
            writer.Write(segments[1]); // the writer was only pausing
        }
        WaitFor(() => Done("late-late.csv"), "the appended rows scored");
        await host.StopAsync();

        Assert.Equal(rows.Take(100).Select(r => r.Id), ScoredIds("late"));
        Assert.Equal(rows.Skip(100).Select(r => r.Id), ScoredIds("late-late"));
        Assert.Equal(TestModels.Csv(rows), File.ReadAllText(Path.Combine(Folder("done"), "late.csv"))); // the input as written
        Assert.Contains(Logs(), l => l.StartsWith("Warning: done/late.csv grew by") && l.Contains("inbox/late-late.csv"));
        Assert.Equal(["appended_after_finish"], incomplete.Reasons);
        Assert.Empty(Directory.GetFiles(Folder("inbox")));
    }

    /// <summary>A channel driven by the test on a file that may still grow (quiet time 1 h).</summary>
    private InboxChannel Channel(ScoringMetrics? metrics = null, TimeSpan? leaseTimeout = null) =>
        new(new InboxOptions { Directory = Path.Combine(_root, "scoring"), SettleTime = TimeSpan.Zero, QuietTime = TimeSpan.FromHours(1), LeaseTimeout = leaseTimeout ?? TimeSpan.FromHours(1) },
            "id", NullLogger.Instance, metrics: metrics);

    [Fact]
    public async Task AFileRemovedWhileItIsReadIsDeadLetteredWithTheRowsScoredAndCounted()
    {
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        using var incomplete = new IncompleteFiles(services);
        var metrics = new ScoringMetrics(services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>());
        Drop(Folder("inbox"), "gone.csv", TestModels.Csv(TestModels.Rows(40, seed: 65)));
        await using var channel = Channel(metrics);
        var batch = await channel.ReadAsync(1000, CancellationToken.None);
        await channel.CommitAsync(batch.Uniform(0.5f), CancellationToken.None);
        File.Delete(Path.Combine(Folder("processing"), channel.WorkerId, "gone.csv"));
        Assert.Equal(0, (await channel.ReadAsync(1000, CancellationToken.None)).Count);

        Assert.Equal(40, ScoredIds("gone").Length);
        Assert.Contains("gone.csv was removed from processing/", File.ReadAllText(Path.Combine(Folder("deadletter"), "gone.errors.csv")));
        Assert.Equal(["removed"], incomplete.Reasons);
    }

    [Fact]
    public async Task AFileTakenOverAfterALapsedLeaseGoesOnFromItsCheckpointAndTheFormerOwnerSaysSo()
    {
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        using var incomplete = new IncompleteFiles(services);
        var metrics = new ScoringMetrics(services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>());
        var rows = TestModels.Rows(90, seed: 66);
        using var writer = new InPlaceWriter(Path.Combine(Folder("inbox"), "lapsed.csv"));
        writer.Write(TestModels.Csv(rows.Take(30)));
        await using var stalled = Channel(metrics); // renews its lease only every 20 min: lapsed for a worker with a 1 s timeout
        var batch = await stalled.ReadAsync(1000, CancellationToken.None);
        Assert.Equal(30, batch.Count);
        await stalled.CommitAsync(batch.Uniform(0.5f), CancellationToken.None); // checkpoint: 30 rows

        writer.Write(string.Concat(rows.Skip(30).Take(30).Select(r => InPlaceWriter.Line(r.Id, r))));
        var unsaved = await stalled.ReadAsync(1000, CancellationToken.None);
        Assert.Equal(30, unsaved.Count); // read, never committed: the new owner scores these

        await using var taker = Channel(leaseTimeout: TimeSpan.FromSeconds(1));
        RecordBatch? resumed = null;
        WaitFor(() => (resumed = taker.ReadAsync(1000, CancellationToken.None).Result).Count > 0, "the takeover");
        Assert.Equal(rows.Skip(30).Take(30).Select(r => r.Id), resumed!.Ids()); // from the checkpoint on
        await taker.CommitAsync(resumed!.Uniform(0.5f), CancellationToken.None);

        await stalled.CommitAsync(unsaved.Uniform(0.5f), CancellationToken.None); // the former owner wakes up
        Assert.Equal(0, (await stalled.ReadAsync(1000, CancellationToken.None)).Count);
        Assert.Equal(["taken_over"], incomplete.Reasons);
        Assert.False(File.Exists(Path.Combine(Folder("out"), "lapsed.scores.csv"))); // nothing written by the former owner

        writer.Write(string.Concat(rows.Skip(60).Select(r => InPlaceWriter.Line(r.Id, r))));
        var rest = await taker.ReadAsync(1000, CancellationToken.None);
        Assert.Equal(30, rest.Count);
        await taker.CommitAsync(rest.Uniform(0.5f), CancellationToken.None);
        await taker.DisposeAsync(); // still open (quiet time 1 h): released with its progress

        using var last = Build(new() { ["AnomalyScoring:Inbox:QuietTime"] = "00:00:00.200" });
        await last.StartAsync();
        WaitFor(() => Done("lapsed.csv"), "the file done");
        await last.StopAsync();
        Assert.Equal(rows.Select(r => r.Id), ScoredIds("lapsed"));
        Assert.Equal(0, last.Services.GetRequiredService<WorkerHealth>().RecordsScored); // every row was scored before the release
        Assert.Contains(Logs(), l => l.Contains("Going on with lapsed.csv from its checkpoint") && l.Contains("90 records already scored"));
    }
}
