using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AnomalyAE.Hosting.Health;

/// <summary>
/// The optional probe files (<see cref="HealthOptions.ProbeDirectory"/>), for orchestrators that probe by command in
/// images without an HTTP client: every <see cref="HealthOptions.ProbeInterval"/> the files <c>live</c> and <c>ready</c>
/// are rewritten while their checks pass and deleted when they fail; both are deleted when the worker stops. A stale
/// <c>live</c> means the process stopped updating it.
/// </summary>
internal sealed class HealthProbeFiles(HealthCheckService checks, IOptions<ScoringOptions> options, ILogger<HealthProbeFiles> log) : BackgroundService
{
    private readonly HealthOptions _options = options.Value.Health;
    private bool _warned;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_options.ProbeFilesEnabled) return;
        using var timer = new PeriodicTimer(_options.ProbeInterval);
        try
        {
            do
            {
                await UpdateAsync(ScoringHealthChecks.LiveTag, stoppingToken);
                await UpdateAsync(ScoringHealthChecks.ReadyTag, stoppingToken);
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            Write(ScoringHealthChecks.LiveTag, null);
            Write(ScoringHealthChecks.ReadyTag, null);
        }
    }

    private async Task UpdateAsync(string tag, CancellationToken stoppingToken)
    {
        var report = await checks.CheckHealthAsync(check => check.Tags.Contains(tag), stoppingToken);
        Write(tag, report.Status == HealthStatus.Unhealthy ? null : $"{report.Status} {DateTimeOffset.UtcNow:O}\n");
    }

    /// <summary>Rewrites the file named <paramref name="tag"/> (a fresh modification time), or deletes it when <paramref name="content"/> is null.</summary>
    private void Write(string tag, string? content)
    {
        string path = Path.Combine(_options.ProbeDirectory, tag);
        try
        {
            if (content is null) File.Delete(path);
            else
            {
                Directory.CreateDirectory(_options.ProbeDirectory);
                File.WriteAllText(path, content);
            }
            _warned = false;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A probe that cannot be written fails the orchestrator's check, which is the signal; log it once per outage.
            if (!_warned) log.LogWarning("Cannot update the health probe file {Path}: {Reason}", path, e.Message);
            _warned = true;
        }
    }
}
