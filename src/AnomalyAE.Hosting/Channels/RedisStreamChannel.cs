using System.Globalization;
using System.Text.Json;
using AnomalyAE.Hosting.Records;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace AnomalyAE.Hosting.Channels;

/// <summary>
/// Redis Streams, on one server or a Redis Cluster. Workers read the input stream through one consumer group
/// (XREADGROUP), so any number of them share the load. A batch is committed by one Lua script — atomic in Redis — that
/// acknowledges each entry (XACK) and writes its result (and alert, or dead letter) only when that XACK removed the
/// entry from the group's pending list. An entry is pending from its delivery until its first acknowledgement, so
/// exactly one commit per entry writes: a worker killed before committing leaves its entries pending for a restart or
/// for XAUTOCLAIM by another worker (after ClaimIdleTime), and a slow worker whose entries were reclaimed meanwhile
/// writes nothing when it commits late. No key per record id is kept. Every stream entry is its own record: two entries
/// with the same id field are both scored (the output carries the entry id to tell them apart). An entry delivered more
/// than MaxDeliveries times goes to the dead-letter stream with the reason.
/// <para>
/// The script's keys are passed in KEYS, so on a cluster it runs where they live; the four streams must share a hash tag
/// (the defaults use <c>{anomaly}</c>). Connection loss: the client reconnects with exponential backoff, and reads and
/// commits are retried with backoff (a commit is idempotent: a repeated one finds its entries acknowledged).
/// </para>
/// </summary>
internal sealed class RedisStreamChannel : IRecordChannel
{
    // KEYS: input, output, alerts, dead letters. ARGV: group, the id field's name, the model's score and predicted-label
    // column names, this worker, K (top features per alert), the series field of a sequence model ('' for a tabular one);
    // then per record: entry id, kind ('o' result, 'a' result and alert, 'd' dead letter), record id, score (or the
    // reason), then for 'd' the original fields; for 'o' and 'a' of a sequence model its series and step; for 'a' K pairs
    // of feature name and share. Only an entry this call's XACK removed from the pending list is written. Returns the count.
    private const string CommitScript = """
        local group, idf, scoref, labelf, worker, k, seriesf = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], tonumber(ARGV[6]), ARGV[7]
        local extra = (seriesf ~= '') and 2 or 0
        local i, written = 8, 0
        while i <= #ARGV do
          local entry, kind, id, value = ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3]
          local after = i + 4 + extra
          if kind == 'd' then after = i + 5 elseif kind == 'a' then after = i + 4 + extra + 2 * k end
          if redis.call('XACK', KEYS[1], group, entry) == 1 then
            if kind == 'd' then
              redis.call('XADD', KEYS[4], '*', idf, id, 'entry', entry, 'reason', value, 'fields', ARGV[i + 4])
            elseif kind == 'o' and extra == 0 then
              -- the common case, without building a table (Redis' own time per entry is the transport's ceiling)
              redis.call('XADD', KEYS[2], '*', idf, id, 'entry', entry, scoref, value, labelf, 'false', 'worker', worker)
            elseif kind == 'o' then
              redis.call('XADD', KEYS[2], '*', idf, id, 'entry', entry, scoref, value, labelf, 'false', 'worker', worker, seriesf, ARGV[i + 4], 'step', ARGV[i + 5])
            else -- 'a': the result, then the alert (the result's fields and the top features)
              local result = { idf, id, 'entry', entry, scoref, value, labelf, 'true', 'worker', worker }
              if extra > 0 then
                result[#result + 1] = seriesf
                result[#result + 1] = ARGV[i + 4]
                result[#result + 1] = 'step'
                result[#result + 1] = ARGV[i + 5]
              end
              redis.call('XADD', KEYS[2], '*', unpack(result))
              for j = 1, k do
                result[#result + 1] = 'top' .. j .. '_feature'
                result[#result + 1] = ARGV[i + 2 + extra + 2 * j]
                result[#result + 1] = 'top' .. j .. '_share'
                result[#result + 1] = ARGV[i + 3 + extra + 2 * j]
              end
              redis.call('XADD', KEYS[3], '*', unpack(result))
            end
            written = written + 1
          end
          i = after
        end
        return written
        """;

    private const int CommitChunk = 4096; // keeps each atomic script short, so Redis stays responsive
    private static readonly TimeSpan BacklogRefresh = TimeSpan.FromSeconds(1);

    private readonly ConnectionMultiplexer _connection;
    private readonly IDatabase _db;
    private readonly RedisOptions _options;
    private readonly RedisValue _consumer;
    private readonly string _idField;
    private readonly int _alertTopFeatures;
    private readonly int _historyScanLimit;
    private readonly ILogger _log;
    private readonly RedisKey[] _keys;
    private readonly RedisBackoff _backoff;
    private bool _ownPendingRead;
    private Task<StreamEntry[]>? _prefetch;
    private long _lastClaim = long.MinValue / 2; // long ago: the first read looks for idle entries
    private (long At, long? Value) _backlog = (long.MinValue / 2, null);

    private RedisStreamChannel(ConnectionMultiplexer connection, RedisOptions options, string idField, int alertTopFeatures, int historyScanLimit, ILogger log)
    {
        _connection = connection;
        _db = connection.GetDatabase();
        _options = options;
        _consumer = string.IsNullOrWhiteSpace(options.ConsumerName) ? $"{Environment.MachineName}-{Environment.ProcessId}" : options.ConsumerName;
        _idField = idField;
        _alertTopFeatures = alertTopFeatures;
        _historyScanLimit = historyScanLimit;
        _log = log;
        _keys = [options.InputStream, options.OutputStream, options.AlertStream, options.DeadLetterStream];
        _backoff = new RedisBackoff(log);
    }

    /// <summary>Connects, checks the keys can be scripted together, and makes sure the consumer group exists.</summary>
    public static async Task<RedisStreamChannel> ConnectAsync(RedisOptions options, string idField, ILogger log, int alertTopFeatures = 0, CancellationToken cancellationToken = default,
        int historyScanLimit = 200_000)
    {
        var configuration = ConfigurationOptions.Parse(options.Configuration);
        if (!options.Configuration.Contains("abortConnect", StringComparison.OrdinalIgnoreCase)) configuration.AbortOnConnectFail = false;
        configuration.ReconnectRetryPolicy ??= new ExponentialRetry(250, 10_000);
        var connection = await ConnectionMultiplexer.ConnectAsync(configuration);
        var channel = new RedisStreamChannel(connection, options, idField, alertTopFeatures, historyScanLimit, log);
        try
        {
            channel.CheckHashSlots();
            await channel._backoff.RunAsync("create the consumer group", async () =>
            {
                try
                {
                    await channel._db.StreamCreateConsumerGroupAsync(options.InputStream, options.ConsumerGroup, "0-0", createStream: true);
                }
                catch (RedisServerException e) when (e.Message.Contains("BUSYGROUP", StringComparison.Ordinal))
                {
                }
                return true;
            }, cancellationToken);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
        log.LogInformation("Consuming {Stream} as {Consumer} in group {Group}", options.InputStream, channel._consumer, options.ConsumerGroup);
        return channel;
    }

    /// <inheritdoc />
    public async Task<RecordBatch> ReadAsync(int maxRecords, CancellationToken cancellationToken)
    {
        // After a restart under the same name, this consumer's own unacknowledged entries come first.
        if (!_ownPendingRead)
        {
            var own = await _backoff.RunAsync("read own pending entries",
                () => _db.StreamReadGroupAsync(_options.InputStream, _options.ConsumerGroup, _consumer, "0-0", maxRecords), cancellationToken);
            _ownPendingRead = own.Length < maxRecords;
            if (own.Length > 0) return await ToBatchAsync(own, redelivered: true);
        }
        // Entries idle on other (dead) consumers are looked for a few times per ClaimIdleTime, not on every read.
        long now = Environment.TickCount64;
        if (now - _lastClaim >= _options.ClaimIdleTime.TotalMilliseconds / 4)
        {
            var claimed = await _backoff.RunAsync("reclaim idle entries", () => _db.StreamAutoClaimAsync(_options.InputStream, _options.ConsumerGroup, _consumer,
                (long)_options.ClaimIdleTime.TotalMilliseconds, "0-0", maxRecords), cancellationToken);
            if (claimed.ClaimedEntries.Length > 0)
            {
                _log.LogWarning("Reclaimed {Count} entries idle for over {Idle} on other consumers", claimed.ClaimedEntries.Length, _options.ClaimIdleTime);
                return await ToBatchAsync(claimed.ClaimedEntries, redelivered: true);
            }
            _lastClaim = now;
        }
        var fresh = await (_prefetch ?? ReadNewAsync(maxRecords, cancellationToken));
        // While the stream is busy, the next batch is read while this one is scored and committed (Redis works while
        // the worker scores). A prefetched batch is pending on this consumer like any read one: a crash leaves it for
        // XAUTOCLAIM, a stop releases it (see DisposeAsync).
        _prefetch = fresh.Length == maxRecords ? ReadNewAsync(maxRecords, cancellationToken) : null;
        return await ToBatchAsync(fresh, redelivered: false);
    }

    /// <summary>True: each entry's commit is its own (XACK-guarded), so a commit may run while the next batch is scored.</summary>
    public bool OverlapsCommits => true;

    /// <inheritdoc />
    public async Task CommitAsync(ScoredBatch outcomes, CancellationToken cancellationToken)
    {
        var batch = (RedisRecordBatch)outcomes.Batch;
        var top = new (string Name, float Share)[outcomes.HasContributions ? Math.Min(_alertTopFeatures, outcomes.FeatureCount) : 0];
        for (int start = 0; start < outcomes.Count; start += CommitChunk)
        {
            int end = Math.Min(outcomes.Count, start + CommitChunk);
            var arguments = new List<RedisValue>(7 + (end - start) * 4)
                { _options.ConsumerGroup, _idField, outcomes.ScoreColumnName, outcomes.PredictedLabelColumnName, _consumer, top.Length, outcomes.SeriesField ?? "" };
            for (int r = start; r < end; r++) AddRecord(arguments, outcomes, batch, r, top);
            RedisValue[] values = [.. arguments];
            var written = await _backoff.RunAsync("commit results", () => _db.ScriptEvaluateAsync(CommitScript, _keys, values), cancellationToken);
            int skipped = end - start - (int)written;
            if (skipped > 0)
                _log.LogInformation("{Skipped} of {Records} entries were already acknowledged (reclaimed and committed by another worker); their results were not written again", skipped, end - start);
        }
    }

    private static void AddRecord(List<RedisValue> arguments, ScoredBatch outcomes, RedisRecordBatch batch, int record, (string Name, float Share)[] top)
    {
        arguments.Add(batch.EntryId(record));
        if (outcomes.Error(record) is { } error)
        {
            var fields = JsonSerializer.Serialize(batch.Fields(record).ToDictionary(f => f.Name, f => f.Value));
            arguments.AddRange(["d", batch.IdValue(record), error, fields]);
            return;
        }
        bool anomaly = outcomes.IsAnomaly(record);
        arguments.AddRange([anomaly ? "a" : "o", batch.IdValue(record), outcomes.Score(record).ToString("R", CultureInfo.InvariantCulture)]);
        if (outcomes.SeriesField is not null) arguments.AddRange([outcomes.Series![record] ?? "", outcomes.Steps![record] ?? ""]);
        if (!anomaly || top.Length == 0) return;
        outcomes.TopFeatures(record, top);
        foreach (var (name, share) in top) arguments.AddRange([name, share.ToString("R", CultureInfo.InvariantCulture)]);
    }

    /// <inheritdoc />
    public async Task<long?> BacklogAsync(CancellationToken cancellationToken)
    {
        long now = Environment.TickCount64;
        if (now - _backlog.At < BacklogRefresh.TotalMilliseconds) return _backlog.Value;
        var groups = await _db.StreamGroupInfoAsync(_options.InputStream);
        var group = groups.FirstOrDefault(g => g.Name == _options.ConsumerGroup);
        _backlog = (now, group.Lag ?? group.PendingMessageCount);
        return _backlog.Value;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        try
        {
            if (_prefetch is not null) await ReleaseAsync(await _prefetch);
        }
        catch (Exception e) when (e is RedisException or OperationCanceledException)
        {
            _log.LogWarning("Could not release the prefetched entries ({Reason}); other workers reclaim them after ClaimIdleTime", e.Message);
        }
        await _connection.DisposeAsync();
    }

    private Task<StreamEntry[]> ReadNewAsync(int maxRecords, CancellationToken cancellationToken) =>
        _backoff.RunAsync("read new entries", () => _db.StreamReadGroupAsync(_options.InputStream, _options.ConsumerGroup, _consumer, ">", maxRecords), cancellationToken);

    /// <summary>
    /// Hands prefetched, unscored entries back on shutdown: they stay pending (Redis has no "unread"), marked idle for
    /// ClaimIdleTime so that another worker's next XAUTOCLAIM takes them at once; a restart under this name reads them first.
    /// </summary>
    private async Task ReleaseAsync(StreamEntry[] entries)
    {
        if (entries.Length == 0) return;
        var idle = (long)_options.ClaimIdleTime.TotalMilliseconds;
        object[] arguments = [(RedisKey)_options.InputStream, _options.ConsumerGroup, _consumer, 0, .. entries.Select(e => (object)e.Id), "IDLE", idle, "JUSTID"];
        await _db.ExecuteAsync("XCLAIM", arguments);
        _log.LogInformation("Released {Count} prefetched entries for other workers", entries.Length);
    }

    /// <summary>On a cluster the commit script touches all four streams, so they must live in one hash slot.</summary>
    private void CheckHashSlots()
    {
        string[] names = [nameof(RedisOptions.InputStream), nameof(RedisOptions.OutputStream), nameof(RedisOptions.AlertStream), nameof(RedisOptions.DeadLetterStream)];
        var slots = _keys.Select(HashTag).ToArray();
        if (slots.Distinct(StringComparer.Ordinal).Count() == 1) return;
        string listing = string.Join(", ", names.Zip(_keys, (n, k) => $"{n} '{k}'"));
        bool cluster = _connection.GetServers().Any(s => s.IsConnected && s.ServerType == ServerType.Cluster);
        if (cluster)
            throw new InvalidOperationException($"Redis Cluster: the streams ({listing}) do not share a hash tag, so they live in different slots and the commit script, which writes them together, cannot run. Give them one hash tag in {ScoringOptions.Section}:Redis, e.g. {{anomaly}}:input, {{anomaly}}:scores, {{anomaly}}:alerts, {{anomaly}}:deadletter.");
        _log.LogWarning("The streams ({Streams}) do not share a hash tag: fine on this server, but not on a Redis Cluster. Use e.g. {{anomaly}}:input, {{anomaly}}:scores, …", listing);
    }

    /// <summary>The part of a key Redis Cluster hashes: the text inside the first non-empty {…}, else the whole key.</summary>
    private static string HashTag(RedisKey key)
    {
        string text = key.ToString();
        int open = text.IndexOf('{');
        if (open < 0) return text;
        int close = text.IndexOf('}', open + 1);
        return close > open + 1 ? text[(open + 1)..close] : text;
    }

    private async Task<RecordBatch> ToBatchAsync(StreamEntry[] read, bool redelivered)
    {
        // A pending entry deleted from the stream (XDEL, XTRIM) comes back as its id without fields: nothing is left
        // to score, so it is acknowledged (else it would come back on every read of this consumer's pending entries).
        static bool Deleted(StreamEntry e) => e.Values is null || e.Values.Length == 0;
        var entries = read.Where(e => !e.IsNull && !Deleted(e)).ToArray();
        var gone = read.Where(e => !e.IsNull && Deleted(e)).Select(e => e.Id).ToArray();
        if (gone.Length > 0)
        {
            await _db.StreamAcknowledgeAsync(_options.InputStream, _options.ConsumerGroup, gone);
            _log.LogWarning("Acknowledged {Count} pending entries that were deleted from {Stream} before they were scored", gone.Length, _options.InputStream);
        }
        if (entries.Length == 0) return RecordBatch.Empty;
        var problems = new string?[entries.Length];
        if (redelivered)
        {
            var pending = await _db.StreamPendingMessagesAsync(_options.InputStream, _options.ConsumerGroup, entries.Length, _consumer,
                entries.Min(e => e.Id), entries.Max(e => e.Id));
            var deliveries = pending.ToDictionary(p => p.MessageId.ToString(), p => p.DeliveryCount);
            for (int i = 0; i < entries.Length; i++)
                if (deliveries.TryGetValue(entries[i].Id.ToString(), out int count) && count > _options.MaxDeliveries)
                    problems[i] = $"delivered {count} times without being committed (MaxDeliveries {_options.MaxDeliveries})";
        }
        return new RedisRecordBatch(entries, problems, _idField)
        {
            SeriesHistory = new RedisSeriesHistory(_db, _options.InputStream, entries, _idField, _historyScanLimit),
        };
    }
}
