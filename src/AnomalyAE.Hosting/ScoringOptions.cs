using Microsoft.Extensions.Options;

namespace AnomalyAE.Hosting;

/// <summary>Where records come from and go to.</summary>
public enum RecordSourceKind
{
    /// <summary>CSV or JSON-lines files dropped into a directory (no server needed).</summary>
    Inbox,
    /// <summary>Redis Streams with a consumer group, for several worker processes or machines.</summary>
    Redis,
}

/// <summary>Options of the scoring worker, bound from the configuration section <c>AnomalyScoring</c>.</summary>
public sealed class ScoringOptions
{
    /// <summary>Configuration section name.</summary>
    public const string Section = "AnomalyScoring";

    /// <summary>Model file written by <c>mlContext.Autoencoders().Save</c> (or <c>anomalyae train</c>).</summary>
    public string ModelPath { get; set; } = "";

    /// <summary>
    /// Base64 HMAC-SHA256 key (at least 32 bytes; see <c>ModelSigningKey</c>). When set, only model files signed with it are
    /// loaded, at start-up and on every hot reload: an unsigned or tampered file is rejected and the current model keeps
    /// serving. Set it from a secret store or the environment (<c>AnomalyScoring__ModelSigningKey</c>), not in a checked-in file.
    /// </summary>
    public string? ModelSigningKey { get; set; }

    /// <summary>Record source and sink.</summary>
    public RecordSourceKind Source { get; set; } = RecordSourceKind.Inbox;

    /// <summary>Largest number of records scored in one forward pass.</summary>
    public int BatchSize { get; set; } = 512;

    /// <summary>Wait between polls when no records are available.</summary>
    public TimeSpan IdleDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>How often the model file is checked for a newer version (hot reload).</summary>
    public TimeSpan ModelReloadInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Name of the record field that identifies a record (dedupe key, carried into outputs).</summary>
    public string IdField { get; set; } = "id";

    /// <summary>
    /// How many features an alert names: the K with the largest share of the row's reconstruction error, as
    /// <c>top1_feature, top1_share, …, topK_share</c> (alerts CSV columns or Redis alert fields), when the model emits a
    /// feature-contributions column (<c>FeatureContributionsColumnName</c>). 0 switches it off.
    /// </summary>
    public int AlertTopFeatures { get; set; } = 3;

    /// <summary>The windows a sequence model keeps per series (ignored for tabular models).</summary>
    public SeriesOptions Series { get; set; } = new();

    /// <summary>The directory inbox.</summary>
    public InboxOptions Inbox { get; set; } = new();

    /// <summary>The Redis Streams source.</summary>
    public RedisOptions Redis { get; set; } = new();

    /// <summary>Metrics export over OTLP; off by default (other exporters: the <c>configureMetrics</c> hook of <c>AddAnomalyScoring</c>).</summary>
    public TelemetryOptions Telemetry { get; set; } = new();

    /// <summary>Liveness and readiness probes; the HTTP endpoint is off by default.</summary>
    public HealthOptions Health { get; set; } = new();
}

/// <summary>
/// A sequence model scores each record against the window of its series (the model's series field; records of many
/// series may be interleaved). Windows live in the worker's memory, are bounded by these settings, and are rebuilt from the
/// records before (the stream, or the file) whenever the worker does not hold one: after a restart, a reclaim, a failed
/// commit or a model change. With Redis, a series must be read by one consumer (see the README's partitioning).
/// </summary>
public sealed class SeriesOptions
{
    /// <summary>Series kept at most; the least recently seen is forgotten (and rebuilt when it comes back). Default 100,000.</summary>
    public int MaxSeries { get; set; } = 100_000;

    /// <summary>A series without a record for this long is forgotten; null (default): never.</summary>
    public TimeSpan? IdleSeriesTimeout { get; set; }

    /// <summary>A record more than this after its series' last (order-field units; seconds for times) starts the window again; null (default): no limit.</summary>
    public double? MaxGap { get; set; }

    /// <summary>
    /// Redis: at most this many stream entries are read back (XREVRANGE) to rebuild the windows a batch needs; a series whose
    /// window − 1 records lie further back warms up again. Default 200,000.
    /// </summary>
    public int HistoryScanLimit { get; set; } = 200_000;

    internal OnlineSequenceScorerOptions ToScorerOptions() => new() { MaxSeries = MaxSeries, IdleSeriesTimeout = IdleSeriesTimeout, MaxGap = MaxGap };
}

/// <summary>
/// Directory inbox: files move inbox/ → processing/WORKER/ → done/, results go to out/, rejected rows to deadletter/.
/// Hand-off: write the file elsewhere (or under a name starting with '.' or ending in .tmp/.part) and rename it into
/// inbox/, or create <c>NAME.csv.ready</c> next to it when it is complete; a file with neither is claimed once its size
/// and modification time have not changed for <see cref="SettleTime"/>, read on while it grows, and finished once it
/// has not changed for <see cref="QuietTime"/>.
/// </summary>
public sealed class InboxOptions
{
    /// <summary>Root folder holding inbox/, processing/, out/, done/ and deadletter/.</summary>
    public string Directory { get; set; } = "scoring";

    /// <summary>
    /// How long a file's size and modification time must stay unchanged before it is claimed (files with a <c>.ready</c>
    /// marker are claimed at once). Longer than the longest pause of a writer that writes in place; 0 claims at once,
    /// for writers that always rename complete files in.
    /// </summary>
    public TimeSpan SettleTime { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// How long a claimed file without a <c>.ready</c> marker must stay unchanged (size and modification time, on the
    /// worker's clock, counting the time it was seen unchanged before its claim) before it is finished: until then it is
    /// still being written, and rows appended to it are read and scored as they arrive, into the same results. Longer than
    /// the longest pause of a writer that writes in place; the default, 5 s, covers pauses of up to 5 s, 2.5 times the
    /// default settle time, and adds at most 3 s to the results of a file that was already quiet when claimed. Rows a
    /// writer appends to a finished file within 12 quiet times (1 min) are still scored, as a new file NAME-late, with a
    /// warning. 0 finishes a file as soon as it is read, for writers that always rename complete files in.
    /// </summary>
    public TimeSpan QuietTime { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>When true, only files with a <c>NAME.EXT.ready</c> marker are claimed (the marker is deleted on claim).</summary>
    public bool RequireReadyMarker { get; set; }

    /// <summary>
    /// A worker's claim on the files in processing/WORKER/ lasts this long after its last heartbeat (renewed every third of
    /// it); then another worker takes the files over. Longer than any pause of a live worker.
    /// </summary>
    public TimeSpan LeaseTimeout { get; set; } = TimeSpan.FromSeconds(30);
}

/// <summary>
/// Redis Streams: one input stream read by a consumer group, output, alert and dead-letter streams. On a Redis Cluster
/// the four streams must share a hash tag (the part in braces), as the defaults do, so that they live in one slot.
/// </summary>
public sealed class RedisOptions
{
    /// <summary>StackExchange.Redis configuration string, e.g. <c>127.0.0.1:6379</c> (for a cluster, any of its nodes).</summary>
    public string Configuration { get; set; } = "127.0.0.1:6379";
    /// <summary>Stream of records to score; each entry's fields are the record's fields.</summary>
    public string InputStream { get; set; } = "{anomaly}:input";
    /// <summary>Consumer group shared by all workers.</summary>
    public string ConsumerGroup { get; set; } = "anomaly-scorers";
    /// <summary>This worker's consumer name; empty uses machine name and process id.</summary>
    public string ConsumerName { get; set; } = "";
    /// <summary>Stream receiving one result entry per input entry (id, entry id, the model's score and predicted-label columns, worker).</summary>
    public string OutputStream { get; set; } = "{anomaly}:scores";
    /// <summary>Stream receiving the records predicted anomalous (the result fields plus the top features).</summary>
    public string AlertStream { get; set; } = "{anomaly}:alerts";
    /// <summary>Stream receiving malformed records and records that failed too often, with the reason and the original fields.</summary>
    public string DeadLetterStream { get; set; } = "{anomaly}:deadletter";
    /// <summary>Entries pending this long on a consumer (e.g. a dead one) are claimed by another.</summary>
    public TimeSpan ClaimIdleTime { get; set; } = TimeSpan.FromSeconds(30);
    /// <summary>A record delivered this many times without being committed goes to the dead-letter stream.</summary>
    public int MaxDeliveries { get; set; } = 5;
}

/// <summary>Validates <see cref="ScoringOptions"/> at start-up, naming each wrong setting.</summary>
internal sealed class ScoringOptionsValidator : IValidateOptions<ScoringOptions>
{
    public ValidateOptionsResult Validate(string? name, ScoringOptions o)
    {
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(o.ModelPath)) failures.Add($"{ScoringOptions.Section}:ModelPath is required (a file saved by mlContext.Autoencoders().Save).");
        else if (!File.Exists(o.ModelPath)) failures.Add($"{ScoringOptions.Section}:ModelPath '{o.ModelPath}' does not exist.");
        if (!string.IsNullOrWhiteSpace(o.ModelSigningKey))
        {
            try
            {
                _ = AnomalyAE.ModelSigningKey.FromBase64(o.ModelSigningKey);
            }
            catch (ArgumentException e)
            {
                failures.Add($"{ScoringOptions.Section}:ModelSigningKey is invalid: {e.Message}");   // the message never repeats the key
            }
        }
        if (o.BatchSize is < 1 or > 1_000_000) failures.Add($"{ScoringOptions.Section}:BatchSize must be in [1, 1000000]; got {o.BatchSize}.");
        if (o.IdleDelay <= TimeSpan.Zero) failures.Add($"{ScoringOptions.Section}:IdleDelay must be positive.");
        if (o.ModelReloadInterval <= TimeSpan.Zero) failures.Add($"{ScoringOptions.Section}:ModelReloadInterval must be positive.");
        if (o.AlertTopFeatures is < 0 or > 100) failures.Add($"{ScoringOptions.Section}:AlertTopFeatures must be in [0, 100] (0 = off); got {o.AlertTopFeatures}.");
        if (string.IsNullOrWhiteSpace(o.IdField)) failures.Add($"{ScoringOptions.Section}:IdField is required.");
        if (o.Series.MaxSeries is < 1 or > 100_000_000) failures.Add($"{ScoringOptions.Section}:Series:MaxSeries must be in [1, 100000000]; got {o.Series.MaxSeries}.");
        if (o.Series.IdleSeriesTimeout is { } idle && idle <= TimeSpan.Zero) failures.Add($"{ScoringOptions.Section}:Series:IdleSeriesTimeout must be positive (or unset); got {idle}.");
        if (o.Series.MaxGap is { } gap && !(gap > 0 && double.IsFinite(gap))) failures.Add($"{ScoringOptions.Section}:Series:MaxGap must be a positive number (or unset); got {gap}.");
        if (o.Series.HistoryScanLimit < 0) failures.Add($"{ScoringOptions.Section}:Series:HistoryScanLimit must be at least 0; got {o.Series.HistoryScanLimit}.");
        if (!Enum.IsDefined(o.Source)) failures.Add($"{ScoringOptions.Section}:Source must be Inbox or Redis; got {o.Source}.");
        if (o.Source == RecordSourceKind.Inbox)
        {
            if (string.IsNullOrWhiteSpace(o.Inbox.Directory)) failures.Add($"{ScoringOptions.Section}:Inbox:Directory is required.");
            if (o.Inbox.SettleTime < TimeSpan.Zero || o.Inbox.SettleTime > TimeSpan.FromHours(1))
                failures.Add($"{ScoringOptions.Section}:Inbox:SettleTime must be in [0, 01:00:00]; got {o.Inbox.SettleTime}.");
            if (o.Inbox.QuietTime < TimeSpan.Zero || o.Inbox.QuietTime > TimeSpan.FromHours(1))
                failures.Add($"{ScoringOptions.Section}:Inbox:QuietTime must be in [0, 01:00:00]; got {o.Inbox.QuietTime}.");
            if (o.Inbox.LeaseTimeout < TimeSpan.FromSeconds(1) || o.Inbox.LeaseTimeout > TimeSpan.FromDays(1))
                failures.Add($"{ScoringOptions.Section}:Inbox:LeaseTimeout must be in [00:00:01, 1.00:00:00]; got {o.Inbox.LeaseTimeout}.");
        }
        if (o.Source == RecordSourceKind.Redis)
        {
            if (string.IsNullOrWhiteSpace(o.Redis.Configuration)) failures.Add($"{ScoringOptions.Section}:Redis:Configuration is required.");
            if (o.Redis.MaxDeliveries < 1) failures.Add($"{ScoringOptions.Section}:Redis:MaxDeliveries must be at least 1.");
            if (o.Redis.ClaimIdleTime <= TimeSpan.Zero) failures.Add($"{ScoringOptions.Section}:Redis:ClaimIdleTime must be positive.");
        }
        if (o.Telemetry.Otlp.Enabled && o.Telemetry.Otlp.ParsedEndpoint is null)
            failures.Add($"{ScoringOptions.Section}:Telemetry:Otlp:Endpoint must be an http or https URL such as http://localhost:4317; got '{o.Telemetry.Otlp.Endpoint}'.");
        if (o.Telemetry.Otlp.Enabled && (o.Telemetry.Otlp.ExportInterval < TimeSpan.FromMilliseconds(100) || o.Telemetry.Otlp.ExportInterval > TimeSpan.FromDays(1)))
            failures.Add($"{ScoringOptions.Section}:Telemetry:Otlp:ExportInterval must be in [00:00:00.1, 1.00:00:00]; got {o.Telemetry.Otlp.ExportInterval}.");
        if (o.Health.Enabled && o.Health.ParsedUrl is null)
            failures.Add($"{ScoringOptions.Section}:Health:Url must be an http URL on the loopback interface with no path, such as http://127.0.0.1:8081/; got '{o.Health.Url}'.");
        if (o.Health.ProbeFilesEnabled && (o.Health.ProbeInterval < TimeSpan.FromMilliseconds(10) || o.Health.ProbeInterval > TimeSpan.FromHours(1)))
            failures.Add($"{ScoringOptions.Section}:Health:ProbeInterval must be in [00:00:00.01, 01:00:00]; got {o.Health.ProbeInterval}.");
        if (o.Health.StallAfter <= TimeSpan.Zero) failures.Add($"{ScoringOptions.Section}:Health:StallAfter must be positive; got {o.Health.StallAfter}.");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
