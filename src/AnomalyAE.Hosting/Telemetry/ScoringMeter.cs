namespace AnomalyAE.Hosting;

/// <summary>
/// Names of the scoring worker's meter and instruments, to subscribe to (OpenTelemetry <c>AddMeter</c>, dotnet-counters)
/// or to query (Prometheus names replace the dots with underscores and add the unit: <c>anomalyae_records_scored_total</c>,
/// <c>anomalyae_batch_duration_seconds</c>). Counts are in <c>{record}</c>, durations in seconds, as OpenTelemetry's
/// semantic conventions ask.
/// </summary>
public static class ScoringMeter
{
    /// <summary>The meter holding every instrument below.</summary>
    public const string Name = "AnomalyAE.Scoring";

    /// <summary>Counter of records scored (<c>{record}</c>).</summary>
    public const string RecordsScored = "anomalyae.records.scored";

    /// <summary>Counter of scored records predicted anomalous (<c>{record}</c>).</summary>
    public const string RecordsAnomalous = "anomalyae.records.anomalous";

    /// <summary>Counter of records set aside as malformed or failing, with the reason, instead of being scored (<c>{record}</c>).</summary>
    public const string RecordsDeadLettered = "anomalyae.records.dead_lettered";

    /// <summary>Gauge of records waiting or pending in the source: the worker's lag (<c>{record}</c>).</summary>
    public const string RecordsBacklog = "anomalyae.records.backlog";

    /// <summary>Histogram of the time to score and commit one batch, in seconds (<c>s</c>).</summary>
    public const string BatchDuration = "anomalyae.batch.duration";

    /// <summary>
    /// Counter of changed model files seen by hot reload (<c>{reload}</c>); a rejected file carries the attribute
    /// <see cref="ErrorType"/> with the exception's type name.
    /// </summary>
    public const string ModelReloads = "anomalyae.model.reloads";

    /// <summary>
    /// Counter of inbox files that could not be finished as one complete file (<c>{file}</c>), by <see cref="ErrorType"/>:
    /// <c>truncated</c> (shorter, or rewritten, while being read: the rows scored are written, the input and the reason go
    /// to deadletter/), <c>removed</c> (gone from processing/ while being read: the same, without the input),
    /// <c>taken_over</c> (another worker took the file over after this worker's lease lapsed: it goes on from the last
    /// checkpoint, so nothing is lost, but this worker's work since then is scored again), <c>appended_after_finish</c>
    /// (rows were appended after the file was finished: they are handed on as a new inbox file, NAME-late).
    /// </summary>
    public const string InboxFilesIncomplete = "anomalyae.inbox.files.incomplete";

    /// <summary>The attribute naming why an operation failed (OpenTelemetry's <c>error.type</c>).</summary>
    public const string ErrorType = "error.type";
}
