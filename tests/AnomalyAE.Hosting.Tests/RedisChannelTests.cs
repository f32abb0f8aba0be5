using System.Diagnostics;
using System.Globalization;
using AnomalyAE.Hosting.Channels;
using AnomalyAE.Hosting.Records;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.ML;
using StackExchange.Redis;

namespace AnomalyAE.Hosting.Tests;

/// <summary>
/// The Redis channel in-process against real servers (one node, and a 3-master cluster): the XACK-guarded commit under a
/// late commit after a reclaim, ids reused by several entries, top features on alerts, the hash-tag check, and backoff
/// while the server does not answer.
/// </summary>
public sealed class RedisChannelTests : IClassFixture<RedisServer>, IClassFixture<RedisCluster>, IDisposable
{
    private readonly RedisServer _server;
    private readonly RedisCluster _cluster;
    private readonly string _folder = Directory.CreateTempSubdirectory("anomalyae-redis-channel-").FullName;
    private readonly string _tag = $"t{Guid.NewGuid():N}"[..10];

    public RedisChannelTests(RedisServer server, RedisCluster cluster)
    {
        _server = server;
        _cluster = cluster;
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string Key(string name) => $"{{{_tag}}}:{name}";

    private string Configuration(string kind)
    {
        string? configuration = kind == "cluster" ? _cluster.Configuration : _server.Configuration;
        Skip.If(configuration is null, kind == "cluster" ? _cluster.Missing : "no redis-server: apt-get install redis-server (./test.sh does)");
        return configuration!;
    }

    private RedisOptions Options(string configuration, string consumer, TimeSpan? claimIdle = null) => new()
    {
        Configuration = configuration, ConsumerName = consumer, ConsumerGroup = "scorers", InputStream = Key("in"), OutputStream = Key("out"),
        AlertStream = Key("alerts"), DeadLetterStream = Key("dead"), ClaimIdleTime = claimIdle ?? TimeSpan.FromSeconds(30),
    };

    private RecordBatchScorer Scorer(Action<AutoencoderOptions>? edit = null)
    {
        string path = Path.Combine(_folder, $"model{Guid.NewGuid():N}.aeml");
        TestModels.Train(path, edit: edit);
        var model = new MLContext(seed: 1).Autoencoders().Load(path, out var schema);
        return new RecordBatchScorer(model, schema, "id");
    }

    private static NameValueEntry[] Entry(string id, float[] values, string? replaceX0 = null) =>
        [new("id", id), .. TestModels.FeatureNames.Select((n, i) => new NameValueEntry(n, i == 0 && replaceX0 is not null ? replaceX0 : values[i].ToString("R", CultureInfo.InvariantCulture)))];

    private async Task Add(IDatabase db, IEnumerable<TestModels.Row> rows) =>
        await Task.WhenAll(rows.Select(r => db.StreamAddAsync(Key("in"), Entry(r.Id, r.Values))));

    [SkippableTheory]
    [InlineData("single")]
    [InlineData("cluster")]
    public async Task AnEntryIsWrittenOnceWhenItsFirstWorkerCommitsAfterAnotherReclaimedIt(string kind)
    {
        string configuration = Configuration(kind);
        using var connection = await ConnectionMultiplexer.ConnectAsync(configuration);
        var db = connection.GetDatabase();
        var scorer = Scorer();
        await using var slow = await RedisStreamChannel.ConnectAsync(Options(configuration, "slow", TimeSpan.FromMilliseconds(300)), "id", NullLogger.Instance);
        await using var other = await RedisStreamChannel.ConnectAsync(Options(configuration, "other", TimeSpan.FromMilliseconds(300)), "id", NullLogger.Instance);
        var rows = TestModels.Rows(300, seed: 31);
        await Add(db, rows);

        var held = await slow.ReadAsync(1000, CancellationToken.None);      // pending on "slow", which then stalls
        Assert.Equal(300, held.Count);
        await Task.Delay(500);
        var reclaimed = await other.ReadAsync(1000, CancellationToken.None); // idle past ClaimIdleTime: XAUTOCLAIM
        Assert.Equal(held.Ids(), reclaimed.Ids());
        await other.CommitAsync(scorer.Score(reclaimed), CancellationToken.None);
        await slow.CommitAsync(scorer.Score(held), CancellationToken.None); // too late: its XACKs find nothing pending

        var output = await db.StreamRangeAsync(Key("out"));
        Assert.Equal(rows.Select(r => r.Id), output.Select(e => (string)e["id"]!));
        Assert.All(output, e => Assert.Equal("other", (string)e["worker"]!));
        Assert.Equal(0, (await db.StreamPendingAsync(Key("in"), "scorers")).PendingMessageCount);
        var alerts = (await db.StreamRangeAsync(Key("alerts"))).Select(e => (string)e["id"]!).ToList();
        Assert.Equal(alerts.Distinct(), alerts);
        Assert.Equal(rows.Count(r => r.Outlier), alerts.Intersect(rows.Where(r => r.Outlier).Select(r => r.Id)).Count());
    }

    [SkippableFact]
    public async Task EntriesReusingAnIdAreEachScoredOrDeadLetteredWithTheReason()
    {
        string configuration = Configuration("single");
        using var connection = await ConnectionMultiplexer.ConnectAsync(configuration);
        var db = connection.GetDatabase();
        var rows = TestModels.Rows(100, seed: 32); // row 25 is an outlier
        var first = await db.StreamAddAsync(Key("in"), Entry("dup", rows[0].Values));
        var second = await db.StreamAddAsync(Key("in"), Entry("dup", rows[25].Values));
        var third = await db.StreamAddAsync(Key("in"), Entry("dup", rows[1].Values, replaceX0: "oops"));
        await using var channel = await RedisStreamChannel.ConnectAsync(Options(configuration, "w"), "id", NullLogger.Instance);

        var batch = await channel.ReadAsync(100, CancellationToken.None);
        await channel.CommitAsync(Scorer().Score(batch), CancellationToken.None);

        var output = await db.StreamRangeAsync(Key("out"));
        Assert.Equal(["dup", "dup"], output.Select(e => (string)e["id"]!));
        Assert.Equal([(string)first!, (string)second!], output.Select(e => (string)e["entry"]!));
        Assert.Equal(["false", "true"], output.Select(e => (string)e["PredictedLabel"]!)); // each entry's own values were scored
        var letter = Assert.Single(await db.StreamRangeAsync(Key("dead")));
        Assert.Equal(((string)third!, "dup"), ((string)letter["entry"]!, (string)letter["id"]!));
        Assert.Equal("field 'x0' = 'oops' is not a finite number", (string)letter["reason"]!);
        Assert.Contains("\"x0\":\"oops\"", (string)letter["fields"]!);
    }

    [SkippableFact]
    public async Task APendingEntryDeletedFromTheStreamIsAcknowledgedNotReadForever()
    {
        string configuration = Configuration("single");
        using var connection = await ConnectionMultiplexer.ConnectAsync(configuration);
        var db = connection.GetDatabase();
        var rows = TestModels.Rows(3, seed: 35);
        await Add(db, rows);
        await db.StreamCreateConsumerGroupAsync(Key("in"), "scorers", "0-0");
        var delivered = await db.StreamReadGroupAsync(Key("in"), "scorers", "w", ">", 10); // pending on "w", which then dies
        await db.StreamDeleteAsync(Key("in"), [delivered[1].Id]);

        await using var channel = await RedisStreamChannel.ConnectAsync(Options(configuration, "w"), "id", NullLogger.Instance);
        var batch = await channel.ReadAsync(10, CancellationToken.None); // "w" restarted: its own pending entries first
        Assert.Equal(rows.Select(r => r.Id).Where((_, i) => i != 1).Order(), batch.Ids().Order());
        await channel.CommitAsync(batch.Uniform(0.5f), CancellationToken.None);
        Assert.Equal(0, (await db.StreamPendingAsync(Key("in"), "scorers")).PendingMessageCount);
        Assert.Equal(2, await db.StreamLengthAsync(Key("out")));
    }

    [SkippableFact]
    public async Task AlertsCarryTheTopFeaturesUnderTheModelsColumnNames()
    {
        string configuration = Configuration("single");
        using var connection = await ConnectionMultiplexer.ConnectAsync(configuration);
        var db = connection.GetDatabase();
        var scorer = Scorer(o => { o.FeatureContributionsColumnName = "FeatureContributions"; o.ScoreColumnName = "AnomalyScore"; });
        var rows = TestModels.Rows(200, seed: 33, outliers: false);
        foreach (var row in rows.Take(100)) row.Values[3] += 3f; // x3 alone leaves the manifold in the first half
        await Add(db, rows);
        await using var channel = await RedisStreamChannel.ConnectAsync(Options(configuration, "w"), "id", NullLogger.Instance, alertTopFeatures: 2);

        var batch = await channel.ReadAsync(1000, CancellationToken.None);
        await channel.CommitAsync(scorer.Score(batch), CancellationToken.None);

        var alerts = await db.StreamRangeAsync(Key("alerts"));
        Assert.InRange(alerts.Length, 90, 110);
        Assert.All(alerts, a => Assert.Equal(["id", "entry", "AnomalyScore", "PredictedLabel", "worker", "top1_feature", "top1_share", "top2_feature", "top2_share"],
            a.Values.Select(v => (string)v.Name!)));
        Assert.True(alerts.Count(a => (string)a["top1_feature"]! == "x3") >= 0.9 * alerts.Length);
        Assert.All(alerts, a => Assert.True(float.Parse((string)a["top1_share"]!, CultureInfo.InvariantCulture) >= float.Parse((string)a["top2_share"]!, CultureInfo.InvariantCulture)));
        var output = await db.StreamRangeAsync(Key("out"));
        Assert.Equal(200, output.Length);
        Assert.All(output, e => Assert.Equal(["id", "entry", "AnomalyScore", "PredictedLabel", "worker"], e.Values.Select(v => (string)v.Name!)));
    }

    [SkippableFact]
    public async Task OnAClusterStreamsWithoutASharedHashTagAreRefusedWithTheFix()
    {
        string configuration = Configuration("cluster");
        var options = Options(configuration, "w");
        options.InputStream = $"{_tag}:in";
        options.OutputStream = $"{_tag}:out";
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => RedisStreamChannel.ConnectAsync(options, "id", NullLogger.Instance));
        Assert.Contains("do not share a hash tag", e.Message);
        Assert.Contains($"InputStream '{_tag}:in'", e.Message);
        Assert.Contains("{anomaly}:input", e.Message);
    }

    [SkippableFact]
    public async Task ReadsAndCommitsWaitWithBackoffWhileTheServerDoesNotAnswer()
    {
        Skip.IfNot(File.Exists("/usr/bin/redis-server"), "no redis-server: apt-get install redis-server (./test.sh does)");
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        int port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        using var server = Process.Start(new ProcessStartInfo("/usr/bin/redis-server", ["--port", port.ToString(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]) { RedirectStandardOutput = true })!;
        try
        {
            string configuration = $"127.0.0.1:{port},syncTimeout=300,asyncTimeout=300,connectTimeout=300";
            var logs = new List<string>();
            using var factory = LoggerFactory.Create(b => b.AddProvider(new ListLoggerProvider(logs)));
            RedisStreamChannel? channel = null;
            for (int attempt = 0; channel is null; attempt++)
            {
                try { channel = await RedisStreamChannel.ConnectAsync(Options(configuration, "w"), "id", factory.CreateLogger("redis")); }
                catch (RedisConnectionException) when (attempt < 50) { await Task.Delay(100); }
            }
            await using var _ = channel;
            using var connection = await ConnectionMultiplexer.ConnectAsync(configuration);
            var rows = TestModels.Rows(50, seed: 34);
            await Add(connection.GetDatabase(), rows);
            var scorer = Scorer();

            Process.Start("kill", ["-STOP", server.Id.ToString()])!.WaitForExit(); // the server hangs: calls time out
            var reading = channel.ReadAsync(100, CancellationToken.None);
            await Task.Delay(1500);
            Assert.False(reading.IsCompleted);
            Process.Start("kill", ["-CONT", server.Id.ToString()])!.WaitForExit();
            var batch = await reading.WaitAsync(TimeSpan.FromSeconds(30));
            Assert.Equal(rows.Select(r => r.Id), batch.Ids());

            Process.Start("kill", ["-STOP", server.Id.ToString()])!.WaitForExit();
            var committing = channel.CommitAsync(scorer.Score(batch), CancellationToken.None);
            await Task.Delay(1500);
            Process.Start("kill", ["-CONT", server.Id.ToString()])!.WaitForExit();
            await committing.WaitAsync(TimeSpan.FromSeconds(30));

            // A retried commit is harmless: the entries it already acknowledged are not written again.
            var output = await connection.GetDatabase().StreamRangeAsync(Key("out"));
            Assert.Equal(rows.Select(r => r.Id), output.Select(e => (string)e["id"]!));
            lock (logs) Assert.Contains(logs, l => l.Contains("Redis call failed (read") && l.Contains("retrying in"));
            lock (logs) Assert.Contains(logs, l => l.Contains("Redis call failed (commit results"));
        }
        finally
        {
            Process.Start("kill", ["-CONT", server.Id.ToString()])!.WaitForExit();
            server.Kill();
        }
    }
}
