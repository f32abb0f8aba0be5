using AnomalyAE.Hosting.Records;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.ML;

namespace AnomalyAE.Hosting.Models;

/// <summary>
/// Holds the current model and swaps in a new one when the model file changes. A broken new file, or with
/// <see cref="ScoringOptions.ModelSigningKey"/> set an unsigned or wrongly signed one, is rejected with an error log and the
/// old model keeps serving. Scoring holds a lease, so a swap happens between batches and the old model is disposed only
/// after its last batch.
/// </summary>
public sealed class ModelProvider : BackgroundService
{
    private readonly ScoringOptions _options;
    private readonly ILogger<ModelProvider> _log;
    private readonly ScoringMetrics _metrics;
    private readonly object _gate = new();
    private readonly ModelSigningKey? _signingKey;
    private LoadedModel _current;
    private (DateTime, long) _fileStamp;

    /// <summary>Loads the configured model; start-up fails if it cannot be loaded.</summary>
    public ModelProvider(IOptions<ScoringOptions> options, ILogger<ModelProvider> log, ScoringMetrics metrics)
    {
        _options = options.Value;
        _log = log;
        _metrics = metrics;
        _signingKey = string.IsNullOrWhiteSpace(_options.ModelSigningKey) ? null : ModelSigningKey.FromBase64(_options.ModelSigningKey);
        _fileStamp = Stamp();
        _current = LoadedModel.Load(_options.ModelPath, _options.IdField, _signingKey);
        _log.LogInformation("Loaded model {Path}{Signed}: needs fields {Fields}", _options.ModelPath,
            _signingKey is null ? "" : $" (signature verified, key {_signingKey.KeyId})", string.Join(", ", _current.Scorer.RequiredFields));
    }

    /// <summary>The model to score the next batch with; dispose the lease when the batch is committed.</summary>
    public ModelLease Acquire()
    {
        lock (_gate)
        {
            _current.References++;
            return new ModelLease(this, _current);
        }
    }

    /// <summary>Checks the model file now and swaps if it changed and loads; returns true on a swap.</summary>
    public bool ReloadIfChanged()
    {
        LoadedModel next;
        try
        {
            var stamp = Stamp();
            if (stamp == _fileStamp) return false;
            _fileStamp = stamp;
            next = LoadedModel.Load(_options.ModelPath, _options.IdField, _signingKey);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Whatever the file holds, the worker keeps serving: a reload failure must never stop the host.
            _log.LogError("Rejected the new model file {Path}: {Reason}. The previous model keeps serving.", _options.ModelPath, e.Message);
            _metrics.ModelReloadFailed();
            return false;
        }
        LoadedModel previous;
        lock (_gate)
        {
            previous = _current;
            _current = next;
        }
        Release(previous);
        _metrics.ModelReloaded();
        _log.LogInformation("Swapped in the new model from {Path}", _options.ModelPath);
        return true;
    }

    /// <inheritdoc />
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

    /// <inheritdoc />
    public override void Dispose()
    {
        base.Dispose();
        lock (_gate) Release(_current);
    }

    internal void Release(LoadedModel model)
    {
        bool dispose;
        lock (_gate)
        {
            model.References--;
            dispose = model.References == 0;
        }
        if (dispose) model.Dispose();
    }

    private (DateTime, long) Stamp()
    {
        var file = new FileInfo(_options.ModelPath);
        return file.Exists ? (file.LastWriteTimeUtc, file.Length) : default;
    }
}

/// <summary>A loaded model with its record scorer; counted so that it is disposed after its last use.</summary>
public sealed class LoadedModel : IDisposable
{
    private LoadedModel(ITransformer model, RecordBatchScorer scorer)
    {
        Model = model;
        Scorer = scorer;
    }

    internal ITransformer Model { get; }

    /// <summary>Turns records into scores with this model.</summary>
    internal RecordBatchScorer Scorer { get; }

    internal int References { get; set; } = 1;

    internal static LoadedModel Load(string path, string idField, ModelSigningKey? signingKey = null)
    {
        var context = new MLContext(seed: 1);
        var model = signingKey is null ? context.Autoencoders().Load(path, out var schema) : context.Autoencoders().Load(path, signingKey, out schema);
        try
        {
            return new LoadedModel(model, new RecordBatchScorer(model, schema, idField));
        }
        catch
        {
            (model as IDisposable)?.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public void Dispose() => (Model as IDisposable)?.Dispose();
}

/// <summary>Use of a model for one batch.</summary>
public sealed class ModelLease : IDisposable
{
    private readonly ModelProvider _provider;
    private int _released;

    internal ModelLease(ModelProvider provider, LoadedModel model)
    {
        _provider = provider;
        Model = model;
    }

    /// <summary>The leased model.</summary>
    public LoadedModel Model { get; }

    /// <inheritdoc />
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _released, 1) == 0) _provider.Release(Model);
    }
}
