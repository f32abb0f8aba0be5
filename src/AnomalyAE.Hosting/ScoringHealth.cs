using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace AnomalyAE.Hosting;

/// <summary>What the worker last did, as a health signal: healthy while its loop keeps turning without errors.</summary>
public sealed class ScoringHealth : IHealthCheck
{
    private DateTimeOffset _lastProgress = DateTimeOffset.UtcNow;
    private string? _lastError;

    /// <summary>Longest time without a loop turn before the worker counts as stuck.</summary>
    public TimeSpan StallAfter { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Records scored since start.</summary>
    public long RecordsScored { get; private set; }

    internal void Progressed(int records)
    {
        _lastProgress = DateTimeOffset.UtcNow;
        RecordsScored += records;
        _lastError = null;
    }

    internal void Failed(string error)
    {
        _lastProgress = DateTimeOffset.UtcNow;
        _lastError = error;
    }

    /// <inheritdoc />
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var data = new Dictionary<string, object> { ["recordsScored"] = RecordsScored, ["lastProgress"] = _lastProgress };
        if (DateTimeOffset.UtcNow - _lastProgress > StallAfter)
            return Task.FromResult(HealthCheckResult.Unhealthy($"no progress since {_lastProgress:O}", data: data));
        return Task.FromResult(_lastError is null ? HealthCheckResult.Healthy(data: data) : HealthCheckResult.Degraded(_lastError, data: data));
    }
}
