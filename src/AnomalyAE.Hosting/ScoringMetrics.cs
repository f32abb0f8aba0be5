using System.Diagnostics.Metrics;

namespace AnomalyAE.Hosting;

/// <summary>The worker's instruments, on the meter <c>AnomalyAE.Scoring</c>.</summary>
public sealed class ScoringMetrics
{
    /// <summary>Meter name to subscribe to (OpenTelemetry, dotnet-counters).</summary>
    public const string MeterName = "AnomalyAE.Scoring";

    private readonly Counter<long> _scored, _anomalies, _deadLettered, _reloads, _reloadFailures;
    private readonly Histogram<double> _batchDuration;
    private long _backlog;

    /// <summary>Creates the instruments from the host's meter factory.</summary>
    public ScoringMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        _scored = meter.CreateCounter<long>("anomalyae.records.scored", "{record}", "Records scored.");
        _anomalies = meter.CreateCounter<long>("anomalyae.records.anomalous", "{record}", "Records predicted anomalous.");
        _deadLettered = meter.CreateCounter<long>("anomalyae.records.dead_lettered", "{record}", "Records set aside as malformed or failing.");
        _reloads = meter.CreateCounter<long>("anomalyae.model.reloads", "{reload}", "Model files swapped in.");
        _reloadFailures = meter.CreateCounter<long>("anomalyae.model.reload_failures", "{reload}", "Model files rejected.");
        _batchDuration = meter.CreateHistogram<double>("anomalyae.batch.duration", "ms", "Time to score and commit one batch.");
        meter.CreateObservableGauge("anomalyae.backlog", () => Interlocked.Read(ref _backlog), "{record}", "Records waiting or pending (lag).");
    }

    internal void BatchDone(int scored, int anomalies, int deadLettered, double milliseconds)
    {
        _scored.Add(scored);
        _anomalies.Add(anomalies);
        _deadLettered.Add(deadLettered);
        _batchDuration.Record(milliseconds);
    }

    internal void Backlog(long records) => Interlocked.Exchange(ref _backlog, records);
    internal void ModelReloaded() => _reloads.Add(1);
    internal void ModelReloadFailed() => _reloadFailures.Add(1);
}
