using System.Globalization;
using System.Text;
using System.Text.Json;
using AnomalyAE.Hosting.Channels;
using AnomalyAE.Hosting.Records;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;

namespace AnomalyAE.Hosting.Tests;

/// <summary>
/// A sequence model in the worker: records of interleaved series are scored once each, against their series' window, and
/// get the batch Transform's scores — through Redis with a consumer that dies holding entries (its windows are rebuilt from
/// the stream by the consumer that reclaims them), and through the inbox with a worker killed mid-file (the windows are
/// rebuilt from the file). Alerts name the series, the time step and the top channels.
/// </summary>
public sealed class SeriesWorkerTests : IClassFixture<RedisServer>, IDisposable
{
    private readonly RedisServer _redis;
    private readonly string _folder = Directory.CreateTempSubdirectory("anomalyae-series-worker-").FullName;
    private readonly string _tag = $"t{Guid.NewGuid():N}"[..10];
    private readonly string _model;

    public SeriesWorkerTests(RedisServer redis)
    {
        _redis = redis;
        _model = Path.Combine(_folder, "series.aeml");
        SeriesModels.Train(_model);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string Key(string name) => $"{{{_tag}}}:{name}";

    private RedisOptions Options(string consumer) => new()
    {
        Configuration = _redis.Configuration!, ConsumerName = consumer, ConsumerGroup = "scorers", InputStream = Key("in"), OutputStream = Key("out"),
        AlertStream = Key("alerts"), DeadLetterStream = Key("dead"), ClaimIdleTime = TimeSpan.FromMilliseconds(300),
    };

    private SeriesRecordScorer Scorer(ScoringModelFile file) => new(file.Model, file.Contract, "id", new OnlineSequenceScorerOptions());

    /// <summary>Adds <paramref name="steps"/> to the input stream as records: id, series, time and the channels.</summary>
    private async Task Feed(IDatabase db, IEnumerable<SeriesModels.Step> steps)
    {
        foreach (var s in steps)
            await db.StreamAddAsync(Key("in"), [new("id", s.Id), new("series", s.Series), new("t", s.Time.ToString("R", CultureInfo.InvariantCulture)),
                .. SeriesModels.Channels.Select((c, i) => new NameValueEntry(c, s.Values[i].ToString("R", CultureInfo.InvariantCulture)))]);
    }

    private static Dictionary<string, float> ScoresById(StreamEntry[] output) =>
        output.ToDictionary(e => (string)e["id"]!, e => float.Parse((string)e["Score"]!, CultureInfo.InvariantCulture));

    private static void AssertSameScores(IEnumerable<SeriesModels.Step> steps, Dictionary<string, float> expected, Dictionary<string, float> online) =>
        Assert.All(steps, s => Assert.True(SeriesModels.Same(expected[s.Id], online[s.Id]), $"{s.Id}: batch {expected[s.Id]}, online {online[s.Id]}"));

    /// <summary>What the worker does with one batch: rebuild the windows it needs, score, commit (or forget the windows on failure).</summary>
    private static async Task<int> Process(RedisStreamChannel channel, SeriesRecordScorer scorer, bool commit = true)
    {
        var batch = await channel.ReadAsync(100, CancellationToken.None);
        if (batch.Count == 0) return 0;
        await scorer.PrepareAsync(batch, CancellationToken.None);
        var outcomes = scorer.Score(batch);
        if (commit) await channel.CommitAsync(outcomes, CancellationToken.None);
        return batch.Count;
    }

    [SkippableFact]
    public async Task ThroughRedisAConsumerThatDiesHoldingEntriesLeavesThemToAnotherThatScoresThemAsTheBatchTransformOnce()
    {
        Skip.If(_redis.Configuration is null, "no redis-server: apt-get install redis-server (./test.sh does)");
        var steps = SeriesModels.Steps(6, 120, seed: 2);
        var expected = SeriesModels.BatchScores(_model, steps);
        using var connection = await ConnectionMultiplexer.ConnectAsync(_redis.Configuration!);
        var db = connection.GetDatabase();
        await Feed(db, steps);

        // The first consumer commits one batch, then dies holding the next two (the one it scored and the one it prefetched).
        using var first = ScoringModelFile.Load(_model);
        var dying = await RedisStreamChannel.ConnectAsync(Options("a"), "id", NullLogger.Instance, alertTopFeatures: 2);
        var dyingScorer = Scorer(first);
        await Process(dying, dyingScorer);
        await Process(dying, dyingScorer, commit: false);

        // A new process: its scorer holds no window. It reads new entries first (their windows rebuilt from the stream),
        // then reclaims the dead consumer's entries once idle (out of turn: rebuilt again, and forgotten after).
        using var second = ScoringModelFile.Load(_model);
        await using var survivor = await RedisStreamChannel.ConnectAsync(Options("b"), "id", NullLogger.Instance, alertTopFeatures: 2);
        var scorer = Scorer(second);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (await db.StreamLengthAsync(Key("out")) < steps.Count || (await db.StreamPendingAsync(Key("in"), "scorers")).PendingMessageCount > 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out waiting for every entry to be scored");
            if (await Process(survivor, scorer) == 0) await Task.Delay(100);
        }

        var output = await db.StreamRangeAsync(Key("out"));
        Assert.Equal(steps.Count, output.Length);
        Assert.Equal(steps.Count, output.Select(e => (string)e["entry"]!).Distinct().Count());
        var online = ScoresById(output);
        AssertSameScores(steps, expected, online);
        Assert.Equal(6 * (SeriesModels.Window - 1), online.Values.Count(float.IsNaN));
        Assert.Equal(["a", "b"], output.Select(e => (string)e["worker"]!).Distinct().Order());

        var alerts = await db.StreamRangeAsync(Key("alerts"));
        Assert.NotEmpty(alerts);
        Assert.Contains(alerts, a => (string)a["series"]! == "s1"); // the stuck stretch
        Assert.All(alerts, a =>
        {
            Assert.Equal((string)a["id"]!, $"{(string)a["series"]!}-{(string)a["step"]!}"); // the step is the record's time
            Assert.Contains((string)a["top1_feature"]!, SeriesModels.Channels);
        });
        await dying.DisposeAsync();
    }

    [SkippableFact]
    public async Task TwoConsumersTakingTurnsOnOneStreamRebuildTheWindowsTheOtherMovedAndScoreAsTheBatchTransform()
    {
        Skip.If(_redis.Configuration is null, "no redis-server: apt-get install redis-server (./test.sh does)");
        var steps = SeriesModels.Steps(6, 80, seed: 4);
        var expected = SeriesModels.BatchScores(_model, steps);
        using var connection = await ConnectionMultiplexer.ConnectAsync(_redis.Configuration!);
        var db = connection.GetDatabase();
        await Feed(db, steps);

        // Each consumer's next batch follows records the other took: the windows it holds for those series miss them.
        using var file = ScoringModelFile.Load(_model);
        await using var a = await RedisStreamChannel.ConnectAsync(Options("a"), "id", NullLogger.Instance);
        await using var b = await RedisStreamChannel.ConnectAsync(Options("b"), "id", NullLogger.Instance);
        var (scorerA, scorerB) = (Scorer(file), Scorer(file));
        while (await Process(a, scorerA) + await Process(b, scorerB) > 0) { }

        var output = await db.StreamRangeAsync(Key("out"));
        Assert.Equal(steps.Count, output.Length);
        Assert.Equal(["a", "b"], output.Select(e => (string)e["worker"]!).Distinct().Order());
        var online = ScoresById(output);
        AssertSameScores(steps, expected, online);
    }

    [Fact]
    public async Task ThroughTheInboxAWorkerKilledMidFileLeavesItToAnotherThatRebuildsTheWindowsFromTheFile()
    {
        var steps = SeriesModels.Steps(5, 160, seed: 3);
        var expected = SeriesModels.BatchScores(_model, steps);
        var lines = SeriesModels.Csv(steps).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l + "\n").ToList();
        string[] segments = [string.Concat(lines.Take(1 + 300)), string.Concat(lines.Skip(1 + 300).Take(200)), string.Concat(lines.Skip(1 + 500))];
        string inbox = Path.Combine(_folder, "scoring");
        string config = Path.Combine(_folder, "worker.json");
        // The victim's quiet time is long: it must not finish the file before it is killed.
        File.WriteAllText(config, JsonSerializer.Serialize(new
        {
            AnomalyScoring = new
            {
                ModelPath = _model, Source = "Inbox", BatchSize = 40, IdleDelay = "00:00:00.050",
                Inbox = new { Directory = inbox, SettleTime = "00:00:00.300", QuietTime = "00:01:00", LeaseTimeout = "00:00:02" },
            },
        }));
        var victim = WorkerHost.StartProcess(config);
        try
        {
            using var writer = new InPlaceWriter(Path.Combine(inbox, "inbox", "mixed.csv"));
            writer.Write(segments[0]);
            WorkerHost.WaitFor(() => Checkpoint(inbox) == Encoding.UTF8.GetByteCount(segments[0]), "the victim's checkpoint after the first 300 records", seconds: 120);
            victim.Kill(); // SIGKILL
            victim.WaitForExit();
            writer.Write(segments[1]);

            var logs = new List<string>();
            using var survivor = WorkerHost.Build(_folder, logs, new Dictionary<string, string?>
            {
                ["AnomalyScoring:ModelPath"] = _model, ["AnomalyScoring:Inbox:Directory"] = "scoring", ["AnomalyScoring:BatchSize"] = "40",
                ["AnomalyScoring:IdleDelay"] = "00:00:00.050", ["AnomalyScoring:Inbox:SettleTime"] = "00:00:00.300",
                ["AnomalyScoring:Inbox:QuietTime"] = "00:00:02", ["AnomalyScoring:Inbox:LeaseTimeout"] = "00:00:02",
            });
            await survivor.StartAsync();
            WorkerHost.WaitFor(() => { lock (logs) return logs.Any(l => l.Contains("Going on with mixed.csv from its checkpoint")); }, "the takeover", seconds: 60);
            writer.Write(segments[2]);
            WorkerHost.WaitFor(() => File.Exists(Path.Combine(inbox, "done", "mixed.csv")), "the file done", seconds: 60);
            await survivor.StopAsync();
        }
        finally
        {
            if (!victim.HasExited) victim.Kill(entireProcessTree: true);
        }

        var scores = File.ReadAllLines(Path.Combine(inbox, "out", "mixed.scores.csv")).Skip(1).Select(l => l.Split(',')).ToList();
        Assert.Equal(steps.Select(s => s.Id), scores.Select(c => c[0])); // every record once, in order
        Assert.All(scores, c => Assert.True(SeriesModels.Same(expected[c[0]], float.Parse(c[1], CultureInfo.InvariantCulture)), $"{c[0]}: batch {expected[c[0]]}, online {c[1]}"));
        var alerts = File.ReadAllLines(Path.Combine(inbox, "out", "mixed.alerts.csv"));
        Assert.StartsWith("id,Score,PredictedLabel,series,step,top1_feature,top1_share", alerts[0]);
        Assert.Contains(alerts.Skip(1), a => a.Split(',')[3] == "s1");
    }

    /// <summary>The checkpointed byte offset of the one file in a worker's processing folder; null while there is none.</summary>
    private static long? Checkpoint(string inbox)
    {
        try
        {
            var file = Directory.GetFiles(Path.Combine(inbox, "processing"), ".mixed.csv.progress", SearchOption.AllDirectories).SingleOrDefault();
            if (file is null) return null;
            using var checkpoint = JsonDocument.Parse(File.ReadAllText(file));
            return checkpoint.RootElement.GetProperty("Offset").GetInt64();
        }
        catch (Exception e) when (e is IOException or JsonException or DirectoryNotFoundException)
        {
            return null;
        }
    }
}
