using AnomalyAE.Runtime;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AnomalyAE.AspNetCore;

/// <summary>
/// Serves the model file of <see cref="AnomalyScorerOptions.ModelPath"/> to any number of concurrent requests. Loads it
/// when the host starts (start-up fails with the file named if it cannot), then checks the file every
/// <see cref="AnomalyScorerOptions.ModelReloadInterval"/> and swaps in a changed one: requests already scoring finish on
/// the model they took, and a new file that does not load is logged and the current model keeps serving.
/// </summary>
internal sealed class AnomalyScorer : BackgroundService
{
    private readonly AnomalyScorerOptions _options;
    private readonly ILogger<AnomalyScorer> _log;
    private readonly ModelSigningKey? _signingKey;
    private readonly ReloadableModelFile<ServedModel> _file;

    public AnomalyScorer(IOptions<AnomalyScorerOptions> options, ILogger<AnomalyScorer> log)
    {
        _options = options.Value;
        _log = log;
        _signingKey = string.IsNullOrWhiteSpace(_options.ModelSigningKey) ? null : ModelSigningKey.FromBase64(_options.ModelSigningKey);
        var sequence = new OnlineSequenceScorerOptions { MaxSeries = _options.MaxSeries, IdleSeriesTimeout = _options.IdleSeriesTimeout, MaxGap = _options.MaxGap };
        // Every load makes a new ServedModel, so a reloaded sequence model starts with no series' windows.
        _file = new ReloadableModelFile<ServedModel>(_options.ModelPath, () => ServedModel.Load(_options.ModelPath, _signingKey, [.. _options.ResponseColumns], sequence));
        if (!File.Exists(_options.ModelPath))
            throw new InvalidOperationException($"The model file '{_options.ModelPath}' (AnomalyScorerOptions.ModelPath) does not exist. " +
                "Set ModelPath to a model saved with mlContext.Autoencoders().Save or `anomalyae train --out`, or train one there first.");
        ServedModel model;
        try
        {
            model = _file.Load();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new InvalidOperationException($"The model file '{_options.ModelPath}' (AnomalyScorerOptions.ModelPath) cannot be served: {e.Message} " +
                "Point ModelPath at an anomaly-scoring model saved with mlContext.Autoencoders().Save" +
                (_signingKey is null ? "" : " and signed with the key of AnomalyScorerOptions.ModelSigningKey") + ", or save it again.", e);
        }
        LogLoaded("Loaded", model);
    }

    /// <summary>The model to score a request with; dispose the lease when done with it.</summary>
    public ReloadableModelFile<ServedModel>.Lease Acquire() => _file.Acquire();

    /// <summary>Checks the model file now and swaps it in if it changed and loads; true on a swap.</summary>
    public bool ReloadIfChanged()
    {
        ServedModel? next;
        try
        {
            // A rejected version is not retried until the file changes again.
            next = _file.ReloadIfChanged();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Whatever the new file holds, the endpoint keeps serving: a reload failure must never stop the host.
            _log.LogError("Rejected the new model file {Path}: {Reason} The previous model keeps serving.", _options.ModelPath, e.Message);
            return false;
        }
        if (next is null) return false;
        LogLoaded("Swapped in the new model", next);
        return true;
    }

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

    public override void Dispose()
    {
        base.Dispose();
        // The container disposes this instance twice (as the scorer and as the hosted service); the file lets go once.
        _file.Dispose();
    }

    private void LogLoaded(string what, ServedModel model) =>
        _log.LogInformation("{What} from {Path}{Signed}: reads fields {Inputs}; returns {Outputs}; {Serves}", what, _options.ModelPath,
            _signingKey is null ? "" : $" (signature verified, key {_signingKey.KeyId})",
            string.Join(", ", model.Columns.Inputs.Select(c => c.Name)), string.Join(", ", model.Columns.Outputs.Select(c => c.Name)), model.Describe());
}
