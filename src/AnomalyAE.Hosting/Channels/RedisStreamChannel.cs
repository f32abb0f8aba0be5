using System.Globalization;
using System.Text.Json;
using AnomalyAE.Hosting.Records;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace AnomalyAE.Hosting.Channels;

/// <summary>
/// Redis Streams. Workers read the input stream through one consumer group (XREADGROUP), so any number of them share
/// the load. Each record is committed by one Lua script — atomic in Redis — that writes its result (and alert) only if
/// its id is not yet in the processed set, then acknowledges it (XACK): the output holds every record exactly once
/// even when a worker dies between scoring and committing. Entries pending on a dead consumer longer than
/// ClaimIdleTime are reclaimed (XAUTOCLAIM); an entry delivered MaxDeliveries times goes to the dead-letter stream.
/// </summary>
public sealed class RedisStreamChannel : IRecordChannel
{
    private const string CommitScript = """
        -- KEYS: input, output, alerts, deadletter, processed; ARGV: group, entry, id, score, anomaly, error, worker, fields
        if ARGV[6] ~= '' then
          redis.call('XADD', KEYS[4], '*', 'id', ARGV[3], 'entry', ARGV[2], 'reason', ARGV[6], 'fields', ARGV[8])
        elseif redis.call('SADD', KEYS[5], ARGV[3]) == 1 then
          redis.call('XADD', KEYS[2], '*', 'id', ARGV[3], 'score', ARGV[4], 'anomaly', ARGV[5], 'worker', ARGV[7])
          if ARGV[5] == '1' then redis.call('XADD', KEYS[3], '*', 'id', ARGV[3], 'score', ARGV[4], 'worker', ARGV[7]) end
        end
        return redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])
        """;

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
        _keys = [options.InputStream, options.OutputStream, options.AlertStream, options.DeadLetterStream, options.ProcessedSet];
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
        // Independent scripts are pipelined by the client; each one is atomic on the server.
        var commits = outcomes.Select(o => _db.ScriptEvaluateAsync(CommitScript, _keys,
        [
            _options.ConsumerGroup, o.Record.Receipt, o.Record.Id,
            o.Scored ? o.Score.ToString("R", CultureInfo.InvariantCulture) : "", o.IsAnomaly ? "1" : "0",
            o.Error ?? "", _consumer, o.Scored ? "" : JsonSerializer.Serialize(o.Record.Fields),
        ]));
        await Task.WhenAll(commits);
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
