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
    private readonly Lock _reloading = new();
    private ServedModel _current;
    private (DateTime, long) _fileStamp;
    private int _disposed;

    public AnomalyScorer(IOptions<AnomalyScorerOptions> options, ILogger<AnomalyScorer> log)
    {
        _options = options.Value;
        _log = log;
        _signingKey = string.IsNullOrWhiteSpace(_options.ModelSigningKey) ? null : ModelSigningKey.FromBase64(_options.ModelSigningKey);
        _fileStamp = Stamp();
        if (!File.Exists(_options.ModelPath))
            throw new InvalidOperationException($"The model file '{_options.ModelPath}' (AnomalyScorerOptions.ModelPath) does not exist. " +
                "Set ModelPath to a model saved with mlContext.Autoencoders().Save or `anomalyae train --out`, or train one there first.");
        try
        {
            _current = ServedModel.Load(_options.ModelPath, _signingKey, [.. _options.ResponseColumns]);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new InvalidOperationException($"The model file '{_options.ModelPath}' (AnomalyScorerOptions.ModelPath) cannot be served: {e.Message} " +
                "Point ModelPath at an anomaly-scoring model saved with mlContext.Autoencoders().Save" +
                (_signingKey is null ? "" : " and signed with the key of AnomalyScorerOptions.ModelSigningKey") + ", or save it again.", e);
        }
        LogLoaded("Loaded");
    }

    /// <summary>The model to score a request with; call <see cref="ServedModel.Release"/> when done with it.</summary>
    public ServedModel Acquire()
    {
        while (true)
        {
            var model = Volatile.Read(ref _current);
            // Fails only when a reload replaced this model and its last request released it meanwhile: take the new one.
            if (model.TryAcquire()) return model;
        }
    }

    /// <summary>Checks the model file now and swaps it in if it changed and loads; true on a swap.</summary>
    public bool ReloadIfChanged()
    {
        lock (_reloading) return ReloadIfChangedCore();
    }

    private bool ReloadIfChangedCore()
    {
        var stamp = Stamp();
        if (stamp == _fileStamp) return false;
        _fileStamp = stamp;
        ServedModel next;
        try
        {
            next = ServedModel.Load(_options.ModelPath, _signingKey, [.. _options.ResponseColumns]);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Whatever the new file holds, the endpoint keeps serving: a reload failure must never stop the host.
            _log.LogError("Rejected the new model file {Path}: {Reason} The previous model keeps serving.", _options.ModelPath, e.Message);
            return false;
        }
        Interlocked.Exchange(ref _current, next).Release();
        LogLoaded("Swapped in the new model");
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
        // The container disposes this instance twice (as the scorer and as the hosted service); release the model once.
        if (Interlocked.Exchange(ref _disposed, 1) == 0) _current.Release();
    }

    private void LogLoaded(string what) =>
        _log.LogInformation("{What} from {Path}{Signed}: reads fields {Inputs}; returns {Outputs}", what, _options.ModelPath,
            _signingKey is null ? "" : $" (signature verified, key {_signingKey.KeyId})",
            string.Join(", ", _current.Columns.Inputs.Select(c => c.Name)), string.Join(", ", _current.Columns.Outputs.Select(c => c.Name)));

    private (DateTime, long) Stamp()
    {
        var file = new FileInfo(_options.ModelPath);
        return file.Exists ? (file.LastWriteTimeUtc, file.Length) : default;
    }
}
