using AnomalyAE.Hosting.Health;
using AnomalyAE.Hosting.Models;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace AnomalyAE.Hosting.Tests;

/// <summary>The liveness and readiness verdicts for each state of the worker's loop, on a clock the test moves.</summary>
public sealed class HealthCheckTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("anomalyae-checks-").FullName;
    private readonly ManualClock _clock = new();
    private readonly WorkerHealth _health;
    private readonly IOptions<ScoringOptions> _options;

    public HealthCheckTests()
    {
        _health = new WorkerHealth(_clock);
        _options = Options.Create(new ScoringOptions { ModelPath = Path.Combine(_root, "model.aeml"), Health = { StallAfter = TimeSpan.FromMinutes(1) } });
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private sealed class ManualClock : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        public override DateTimeOffset GetUtcNow() => Now;
    }

    private Task<HealthCheckResult> Live() => new LivenessCheck(_health, _options).CheckHealthAsync(new HealthCheckContext());

    [Fact]
    public async Task LivenessFailsOnlyWhenTheLoopStopsTurningAndDegradesWhileABatchFails()
    {
        Assert.Equal(HealthStatus.Healthy, (await Live()).Status);
        _clock.Now += TimeSpan.FromSeconds(59);
        _health.Progressed(10);
        _clock.Now += TimeSpan.FromSeconds(59);
        Assert.Equal(HealthStatus.Healthy, (await Live()).Status);   // the turn restarted the stall clock
        Assert.Equal(10L, (await Live()).Data["recordsScored"]);

        _health.BatchFailed("disk full");
        var degraded = await Live();
        Assert.Equal(HealthStatus.Degraded, degraded.Status);
        Assert.Contains("disk full", degraded.Description);

        _clock.Now += TimeSpan.FromSeconds(61);
        var stalled = await Live();
        Assert.Equal(HealthStatus.Unhealthy, stalled.Status);
        Assert.Contains("has not turned since", stalled.Description);
        _health.Progressed(0);
        Assert.Equal(HealthStatus.Healthy, (await Live()).Status);
    }

    [Fact]
    public async Task ReadinessNeedsTheModelAndTheChannel()
    {
        TestModels.Train(_options.Value.ModelPath);
        using var store = new ModelStore(_options, NullLogger<ModelStore>.Instance);
        var ready = new ReadinessCheck(_health, store);
        Assert.Contains("no model is loaded", (await ready.CheckHealthAsync(new HealthCheckContext())).Description);

        await store.StartAsync(CancellationToken.None);
        var opening = await ready.CheckHealthAsync(new HealthCheckContext());
        Assert.Equal(HealthStatus.Unhealthy, opening.Status);
        Assert.Contains("not open yet", opening.Description);

        _health.ChannelReached();
        Assert.Equal(HealthStatus.Healthy, (await ready.CheckHealthAsync(new HealthCheckContext())).Status);
        _health.ChannelFailed("No connection is active/available to service this operation");
        var lost = await ready.CheckHealthAsync(new HealthCheckContext());
        Assert.Equal(HealthStatus.Unhealthy, lost.Status);
        Assert.Contains("unreachable: No connection", lost.Description);
        _health.ChannelReached();
        Assert.Equal(HealthStatus.Healthy, (await ready.CheckHealthAsync(new HealthCheckContext())).Status);
    }
}
