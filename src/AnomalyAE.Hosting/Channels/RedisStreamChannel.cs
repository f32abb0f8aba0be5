using System.Globalization;
using System.Text.Json;
using AnomalyAE.Hosting.Records;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace AnomalyAE.Hosting.Channels;

/// <summary>
/// Redis Streams. Workers read the input stream through one consumer group (XREADGROUP), so any number of them share
/// the load. Records are committed by a Lua script — atomic in Redis — that writes each result (and alert) only if
/// its id has not been marked processed (a key per id that expires after ProcessedIdRetention), and acknowledges it (XACK) in the same step: the output holds every record exactly once
/// even when a worker dies between scoring and committing. Entries pending on a dead consumer longer than
/// ClaimIdleTime are reclaimed (XAUTOCLAIM); an entry delivered MaxDeliveries times goes to the dead-letter stream.
/// </summary>
internal sealed class RedisStreamChannel : IRecordChannel
{
    // One call commits a whole batch; Redis runs a script atomically. ARGV: group, worker, retention (ms), then per
    // record: entry id, record id, score, anomaly flag, error, original fields (JSON, for dead letters). The processed
    // marker is a key per id (PREFIX:ID, SET NX PX) so that it expires; a non-cluster deployment is assumed.
    private const string CommitScript = """
        -- KEYS: input, output, alerts, deadletter, processed-key prefix
        local acknowledged = 0
        for i = 4, #ARGV, 6 do
          local entry, id, score, anomaly, err, fields = ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3], ARGV[i + 4], ARGV[i + 5]
          if err ~= '' then
            redis.call('XADD', KEYS[4], '*', 'id', id, 'entry', entry, 'reason', err, 'fields', fields)
          elseif redis.call('SET', KEYS[5] .. ':' .. id, '1', 'NX', 'PX', ARGV[3]) then
            redis.call('XADD', KEYS[2], '*', 'id', id, 'score', score, 'anomaly', anomaly, 'worker', ARGV[2])
            if anomaly == '1' then redis.call('XADD', KEYS[3], '*', 'id', id, 'score', score, 'worker', ARGV[2]) end
          end
          acknowledged = acknowledged + redis.call('XACK', KEYS[1], ARGV[1], entry)
        end
        return acknowledged
        """;

    private const int CommitChunk = 1000; // keeps each atomic script short, so Redis stays responsive

    private readonly ConnectionMultiplexer _connection;
    private readonly IDatabase _db;
    private readonly RedisOptions _options;
    private readonly string _consumer;
    private readonly string _idField;
    private readonly ILogger _log;
    private readonly RedisKey[] _keys;
    private bool _ownPendingRead;

    private RedisStreamChannel(ConnectionMultiplexer connection, RedisOptions options, string idField, ILogger log)
    {
        _connection = connection;
        _db = connection.GetDatabase();
        _options = options;
        _consumer = string.IsNullOrWhiteSpace(options.ConsumerName) ? $"{Environment.MachineName}-{Environment.ProcessId}" : options.ConsumerName;
        _idField = idField;
        _log = log;
        _keys = [options.InputStream, options.OutputStream, options.AlertStream, options.DeadLetterStream, options.ProcessedKeyPrefix];
    }

    /// <summary>Connects and makes sure the consumer group exists (reading the stream from its start).</summary>
    public static async Task<RedisStreamChannel> ConnectAsync(RedisOptions options, string idField, ILogger log)
    {
        var connection = await ConnectionMultiplexer.ConnectAsync(options.Configuration);
        var channel = new RedisStreamChannel(connection, options, idField, log);
        try
        {
            await channel._db.StreamCreateConsumerGroupAsync(options.InputStream, options.ConsumerGroup, "0-0", createStream: true);
        }
        catch (RedisServerException e) when (e.Message.Contains("BUSYGROUP", StringComparison.Ordinal))
        {
        }
        log.LogInformation("Consuming {Stream} as {Consumer} in group {Group}", options.InputStream, channel._consumer, options.ConsumerGroup);
        return channel;
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<ScoringRecord>> ReadAsync(int maxRecords, CancellationToken cancellationToken)
    {
        // After a restart under the same name, this consumer's own unacknowledged entries come first.
        if (!_ownPendingRead)
        {
            _ownPendingRead = true;
            var own = await _db.StreamReadGroupAsync(_options.InputStream, _options.ConsumerGroup, _consumer, "0-0", maxRecords);
            if (own.Length > 0) return await ToRecordsAsync(own, redelivered: true);
        }
        var claimed = await _db.StreamAutoClaimAsync(_options.InputStream, _options.ConsumerGroup, _consumer,
            (long)_options.ClaimIdleTime.TotalMilliseconds, "0-0", maxRecords);
        if (claimed.ClaimedEntries.Length > 0)
        {
            _log.LogWarning("Reclaimed {Count} entries idle for over {Idle} on other consumers", claimed.ClaimedEntries.Length, _options.ClaimIdleTime);
            return await ToRecordsAsync(claimed.ClaimedEntries, redelivered: true);
        }
        var fresh = await _db.StreamReadGroupAsync(_options.InputStream, _options.ConsumerGroup, _consumer, ">", maxRecords);
        return await ToRecordsAsync(fresh, redelivered: false);
    }

    /// <inheritdoc />
    public async Task CommitAsync(IReadOnlyList<RecordOutcome> outcomes, CancellationToken cancellationToken)
    {
        foreach (var chunk in outcomes.Chunk(CommitChunk))
        {
            var arguments = new List<RedisValue>(3 + chunk.Length * 6) { _options.ConsumerGroup, _consumer, (long)_options.ProcessedIdRetention.TotalMilliseconds };
            foreach (var o in chunk)
            {
                arguments.Add(o.Record.Receipt);
                arguments.Add(o.Record.Id);
                arguments.Add(o.Scored ? o.Score.ToString("R", CultureInfo.InvariantCulture) : "");
                arguments.Add(o.IsAnomaly ? "1" : "0");
                arguments.Add(o.Error ?? "");
                arguments.Add(o.Scored ? "" : JsonSerializer.Serialize(o.Record.Fields));
            }
            await _db.ScriptEvaluateAsync(CommitScript, _keys, [.. arguments]);
        }
    }

    /// <inheritdoc />
    public async Task<long?> BacklogAsync(CancellationToken cancellationToken)
    {
        var groups = await _db.StreamGroupInfoAsync(_options.InputStream);
        var group = groups.FirstOrDefault(g => g.Name == _options.ConsumerGroup);
        return group.Lag ?? group.PendingMessageCount;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync() => await _connection.DisposeAsync();

    private async Task<IReadOnlyList<ScoringRecord>> ToRecordsAsync(StreamEntry[] entries, bool redelivered)
    {
        var deliveries = new Dictionary<string, int>();
        if (redelivered && entries.Length > 0)
        {
            var pending = await _db.StreamPendingMessagesAsync(_options.InputStream, _options.ConsumerGroup, entries.Length, _consumer,
                entries.Min(e => e.Id), entries.Max(e => e.Id));
            foreach (var message in pending) deliveries[message.MessageId!] = message.DeliveryCount;
        }
        return entries.Where(e => !e.IsNull).Select(entry =>
        {
            var fields = entry.Values.ToDictionary(v => v.Name.ToString(), v => v.Value.ToString(), StringComparer.OrdinalIgnoreCase);
            string id = fields.GetValueOrDefault(_idField) ?? entry.Id.ToString();
            string? problem = deliveries.TryGetValue(entry.Id!, out int count) && count > _options.MaxDeliveries
                ? $"delivered {count} times without being committed (MaxDeliveries {_options.MaxDeliveries})"
                : null;
            return new ScoringRecord(id, fields, entry.Id.ToString(), problem);
        }).ToList();
    }
}
