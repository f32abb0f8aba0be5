using AnomalyAE.Hosting.Telemetry;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AnomalyAE.Hosting.Models;

/// <summary>
/// Hot reload: every <see cref="ScoringOptions.ModelReloadInterval"/> it checks the model file and, when it changed, loads
/// it and hands it to the <see cref="ModelStore"/>. A broken new file, or with <see cref="ScoringOptions.ModelSigningKey"/>
/// set an unsigned or wrongly signed one, is rejected with an error log and the current model keeps serving.
/// </summary>
internal sealed class ModelReloader(ModelStore store, ScoringMetrics metrics, IOptions<ScoringOptions> options, ILogger<ModelReloader> log)
    : BackgroundService
{
    private readonly ScoringOptions _options = options.Value;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(_options.ModelReloadInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken)) ReloadIfChanged();
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Checks the model file now and swaps if it changed and loads; returns true on a swap.</summary>
    public bool ReloadIfChanged()
    {
        try
        {
            // A rejected version is not retried until the file changes again.
            if (store.ReloadIfChanged() is null) return false;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Whatever the file holds, the worker keeps serving: a reload failure must never stop the host.
            log.LogError("Rejected the new model file {Path}: {Reason}. The previous model keeps serving.", _options.ModelPath, e.Message);
            metrics.ModelReloadFailed(e);
            return false;
        }
        metrics.ModelReloaded();
        log.LogInformation("Swapped in the new model from {Path}", _options.ModelPath);
        return true;
    }
}
