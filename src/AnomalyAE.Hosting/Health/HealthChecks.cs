using AnomalyAE.Hosting.Models;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace AnomalyAE.Hosting.Health;

/// <summary>
/// Live while the worker's loop keeps turning: unhealthy after <see cref="HealthOptions.StallAfter"/> without a turn (stuck),
/// degraded while its last batch failed (it is retried).
/// </summary>
internal sealed class LivenessCheck(WorkerHealth health, IOptions<ScoringOptions> options) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var state = health.Read();
        var data = new Dictionary<string, object> { ["recordsScored"] = state.RecordsScored, ["lastTurn"] = state.LastTurn };
        var result = state.Since > options.Value.Health.StallAfter ? HealthCheckResult.Unhealthy($"the scoring loop has not turned since {state.LastTurn:O}", data: data)
            : state.BatchProblem is { } problem ? HealthCheckResult.Degraded($"the last batch failed and is retried: {problem}", data: data)
            : HealthCheckResult.Healthy(data: data);
        return Task.FromResult(result);
    }
}

/// <summary>Ready when a model serves and the record channel answers.</summary>
internal sealed class ReadinessCheck(WorkerHealth health, ModelStore models) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var state = health.Read();
        var result = !models.IsLoaded ? HealthCheckResult.Unhealthy("no model is loaded yet")
            : state.ChannelProblem is { } problem ? HealthCheckResult.Unhealthy($"the record channel is unreachable: {problem}")
            : HealthCheckResult.Healthy();
        return Task.FromResult(result);
    }
}
