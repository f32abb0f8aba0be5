using System.Diagnostics.Metrics;

namespace AnomalyAE.Hosting.Telemetry;

/// <summary>The worker's instruments (named in <see cref="ScoringMeter"/>), created from the host's meter factory.</summary>
internal sealed class ScoringMetrics
{
    // Batches take milliseconds to seconds: the bucket bounds of OpenTelemetry's request-duration conventions.
    private static readonly double[] DurationBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];

    private readonly Counter<long> _scored, _anomalous, _deadLettered, _reloads, _incompleteFiles;
    private readonly Histogram<double> _batchDuration;
    private long _backlog;

    public ScoringMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(ScoringMeter.Name);
        _scored = meter.CreateCounter<long>(ScoringMeter.RecordsScored, "{record}", "Records scored.");
        _anomalous = meter.CreateCounter<long>(ScoringMeter.RecordsAnomalous, "{record}", "Records predicted anomalous.");
        _deadLettered = meter.CreateCounter<long>(ScoringMeter.RecordsDeadLettered, "{record}", "Records set aside as malformed or failing.");
        _reloads = meter.CreateCounter<long>(ScoringMeter.ModelReloads, "{reload}", "Changed model files seen; rejected ones carry error.type.");
        _incompleteFiles = meter.CreateCounter<long>(ScoringMeter.InboxFilesIncomplete, "{file}", "Inbox files that could not be finished as one complete file; error.type says why.");
        _batchDuration = meter.CreateHistogram(ScoringMeter.BatchDuration, "s", "Time to score and commit one batch.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });
        meter.CreateObservableGauge(ScoringMeter.RecordsBacklog, () => Interlocked.Read(ref _backlog), "{record}", "Records waiting or pending in the source (lag).");
    }

    public void BatchDone(int scored, int anomalous, int deadLettered, TimeSpan duration)
    {
        _scored.Add(scored);
        _anomalous.Add(anomalous);
        _deadLettered.Add(deadLettered);
        _batchDuration.Record(duration.TotalSeconds);
    }

    public void Backlog(long records) => Interlocked.Exchange(ref _backlog, records);
    public void ModelReloaded() => _reloads.Add(1);
    /// <summary>Counts an inbox file that could not be finished as one complete file, for <paramref name="reason"/> (see <see cref="ScoringMeter.InboxFilesIncomplete"/>).</summary>
    public void InboxFileIncomplete(string reason) => _incompleteFiles.Add(1, new KeyValuePair<string, object?>(ScoringMeter.ErrorType, reason));
    public void ModelReloadFailed(Exception error) => _reloads.Add(1, new KeyValuePair<string, object?>(ScoringMeter.ErrorType, error.GetType().Name));
}
