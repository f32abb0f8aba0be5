using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using StackExchange.Redis;

namespace AnomalyAE.Hosting.Tests;

/// <summary>
/// Worker processes (`anomalyae worker`) against a real redis-server and a real 3-master Redis Cluster: load sharing,
/// exactly-once output per stream entry when a worker is killed (kill -9) mid-stream and restarted or reclaimed from,
/// dead letters, graceful shutdown.
/// </summary>
public sealed class RedisWorkerTests : IClassFixture<RedisServer>, IClassFixture<RedisCluster>, IDisposable
{
    private readonly RedisServer _redis;
    private readonly RedisCluster _cluster;
    private readonly string _folder = Directory.CreateTempSubdirectory("anomalyae-redis-").FullName;
    private readonly string _prefix = $"t{Guid.NewGuid():N}"[..10];
    private readonly List<Process> _workers = [];

    public RedisWorkerTests(RedisServer redis, RedisCluster cluster)
    {
        _redis = redis;
        _cluster = cluster;
    }

    public void Dispose()
    {
        foreach (var worker in _workers.Where(w => !w.HasExited)) worker.Kill(entireProcessTree: true);
        Directory.Delete(_folder, recursive: true);
    }

    private string Key(string name) => $"{{{_prefix}}}:{name}"; // one hash tag: the streams share a cluster slot

    private string WriteConfig(string? configuration = null)
    {
        TestModels.Train(Path.Combine(_folder, "model.aeml"));
        var config = new
        {
            AnomalyScoring = new
            {
                ModelPath = "model.aeml", Source = "Redis", BatchSize = 500, IdleDelay = "00:00:00.050",
                Redis = new
                {
                    Configuration = configuration ?? _redis.Configuration, InputStream = Key("in"), ConsumerGroup = "scorers", OutputStream = Key("out"),
                    AlertStream = Key("alerts"), DeadLetterStream = Key("dead"), ClaimIdleTime = "00:00:02", MaxDeliveries = 5,
                },
            },
        };
        string path = Path.Combine(_folder, "worker.json");
        File.WriteAllText(path, JsonSerializer.Serialize(config));
        return path;
    }

    private Process StartWorker(string config, string name)
    {
        var process = WorkerHost.StartProcess(config, new Dictionary<string, string> { ["AnomalyScoring__Redis__ConsumerName"] = name });
        _workers.Add(process);
        return process;
    }

    private static async Task AddRecords(IDatabase db, string stream, IEnumerable<TestModels.Row> rows)
    {
        var adds = rows.Select(r => db.StreamAddAsync(stream,
            [new NameValueEntry("id", r.Id), .. TestModels.FeatureNames.Select((n, i) => new NameValueEntry(n, r.Values[i].ToString("R", CultureInfo.InvariantCulture)))]));
        await Task.WhenAll(adds);
    }

    private static async Task WaitFor(Func<Task<bool>> condition, string what, int seconds = 120)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"timed out waiting for {what}");
            await Task.Delay(100);
        }
    }

    [SkippableFact]
    public async Task TwoWorkersShareTheStreamAndAKilledWorkerLosesNothing()
    {
        Skip.If(_redis.Configuration is null, "no redis-server: apt-get install redis-server (./test.sh does)");
        using var connection = await ConnectionMultiplexer.ConnectAsync(_redis.Configuration!);
        var db = connection.GetDatabase();
        string config = WriteConfig();
        var rows = TestModels.Rows(20_000, seed: 11);
        var first = StartWorker(config, "worker-a");
        StartWorker(config, "worker-b");
        // Both workers must be reading before the records arrive, or a slow start-up could leave one with nothing to do.
        await WaitFor(async () => await db.KeyExistsAsync(Key("in")) && (await db.StreamConsumerInfoAsync(Key("in"), "scorers")).Length >= 2, "both workers reading");
        await AddRecords(db, Key("in"), rows);
        await db.StreamAddAsync(Key("in"), [new NameValueEntry("id", "bad-1"), new NameValueEntry("x0", "oops")]);
        await WaitFor(async () => await db.StreamLengthAsync(Key("out")) >= 4_000, "the first results");
        first.Kill(entireProcessTree: true); // no graceful shutdown: whatever worker-a held is pending
        first.WaitForExit();
        StartWorker(config, "worker-a"); // restarted under the same name

        await WaitFor(async () => await db.StreamLengthAsync(Key("out")) >= rows.Length && (await db.StreamPendingAsync(Key("in"), "scorers")).PendingMessageCount == 0,
            "every record scored and acknowledged");
        await Task.Delay(500);

        var output = await db.StreamRangeAsync(Key("out"));
        var ids = output.Select(e => (string)e["id"]!).ToList();
        Assert.Equal(rows.Length, ids.Count);               // nothing duplicated …
        Assert.Equal(rows.Select(r => r.Id).Order(), ids.Order()); // … and nothing lost
        var workers = output.Select(e => (string)e["worker"]!).Distinct().ToList();
        Assert.True(workers.Count >= 2, $"only {string.Join(", ", workers)} did any work");

        var alerts = (await db.StreamRangeAsync(Key("alerts"))).Select(e => (string)e["id"]!).ToHashSet();
        Assert.True(rows.Where(r => r.Outlier).All(r => alerts.Contains(r.Id)), "an outlier raised no alert");
        var dead = await db.StreamRangeAsync(Key("dead"));
        var letter = Assert.Single(dead);
        Assert.Equal("bad-1", (string)letter["id"]!);
        Assert.Contains("'oops' is not a finite number", (string)letter["reason"]!);
    }

    [SkippableFact]
    public async Task GracefulShutdownFinishesTheBatchInFlightAndReleasesThePrefetchedOne()
    {
        Skip.If(_redis.Configuration is null, "no redis-server: apt-get install redis-server (./test.sh does)");
        using var connection = await ConnectionMultiplexer.ConnectAsync(_redis.Configuration!);
        var db = connection.GetDatabase();
        string config = WriteConfig();
        await AddRecords(db, Key("in"), TestModels.Rows(30_000, seed: 12));
        var worker = StartWorker(config, "worker-stop");
        await WaitFor(async () => await db.StreamLengthAsync(Key("out")) >= 1_000, "the first results");

        Process.Start("kill", ["-TERM", worker.Id.ToString()])!.WaitForExit(); // what systemd or docker stop sends
        Assert.True(worker.WaitForExit(TimeSpan.FromSeconds(30)), "worker did not stop");

        long written = await db.StreamLengthAsync(Key("out"));
        Assert.True(written is > 0 and < 30_000, $"{written} results");
        var output = await db.StreamRangeAsync(Key("out"));
        var input = (await db.StreamRangeAsync(Key("in"))).Select(e => (string)e.Id!).ToList();
        Assert.Equal(input.Take((int)written), output.Select(e => (string)e["entry"]!)); // the batch in flight was committed; results in stream order
        // What is still pending is only the next batch, read ahead and released: marked idle for ClaimIdleTime (2 s), so
        // another worker's next XAUTOCLAIM takes it at once.
        var pending = await db.StreamPendingMessagesAsync(Key("in"), "scorers", 10_000, "worker-stop");
        Assert.True(pending.Length <= 500, $"{pending.Length} entries pending");
        Assert.Equal(input.Skip((int)written).Take(pending.Length), pending.Select(p => (string)p.MessageId!));
        Assert.All(pending, p => Assert.True(p.IdleTimeInMilliseconds >= 2_000, $"idle {p.IdleTimeInMilliseconds} ms"));
        Assert.Empty(connection.GetServer(connection.GetEndPoints()[0]).Keys(pattern: "*" + _prefix + "*").Select(k => (string)k!)
            .Except([Key("in"), Key("out"), Key("alerts")])); // no key per record id
    }

    [SkippableFact]
    public async Task OnAClusterEntriesOfAKilledWorkerAreReclaimedByTheOtherAndWrittenExactlyOnce()
    {
        Skip.If(_cluster.Configuration is null, _cluster.Missing);
        using var connection = await ConnectionMultiplexer.ConnectAsync(_cluster.Configuration!);
        var db = connection.GetDatabase();
        string config = WriteConfig(_cluster.Configuration);
        var rows = TestModels.Rows(20_000, seed: 13);
        var killed = StartWorker(config, "worker-killed");
        StartWorker(config, "worker-survivor");
        await WaitFor(async () => await db.KeyExistsAsync(Key("in")) && (await db.StreamConsumerInfoAsync(Key("in"), "scorers")).Length >= 2, "both workers reading");
        await AddRecords(db, Key("in"), rows);
        await WaitFor(async () => await db.StreamLengthAsync(Key("out")) >= 1_000, "the first results");
        async Task<long> HeldByKilled() => (await db.StreamConsumerInfoAsync(Key("in"), "scorers")).Single(c => c.Name == "worker-killed").PendingMessageCount;
        while (await HeldByKilled() == 0) await Task.Delay(2);
        killed.Kill(entireProcessTree: true); // kill -9 while it holds a batch, never restarted: its entries wait for XAUTOCLAIM
        killed.WaitForExit();
        Assert.True(await HeldByKilled() > 0, "the killed worker held no entries: nothing to reclaim");

        await WaitFor(async () => await db.StreamLengthAsync(Key("out")) >= rows.Length && (await db.StreamPendingAsync(Key("in"), "scorers")).PendingMessageCount == 0,
            "every record scored and acknowledged");
        await Task.Delay(500);

        var output = await db.StreamRangeAsync(Key("out"));
        Assert.Equal(rows.Length, output.Length);                                   // nothing duplicated …
        Assert.Equal(rows.Select(r => r.Id).Order(), output.Select(e => (string)e["id"]!).Order()); // … and nothing lost
        Assert.Equal(output.Length, output.Select(e => (string)e["entry"]!).Distinct().Count());
        var info = await db.StreamConsumerInfoAsync(Key("in"), "scorers");
        Assert.Equal(0, info.Single(c => c.Name == "worker-killed").PendingMessageCount);
        var alerts = (await db.StreamRangeAsync(Key("alerts"))).Select(e => (string)e["id"]!).ToList();
        Assert.Equal(alerts.Distinct(), alerts);
        Assert.True(rows.Where(r => r.Outlier).All(r => alerts.Contains(r.Id)), "an outlier raised no alert");
    }
}
