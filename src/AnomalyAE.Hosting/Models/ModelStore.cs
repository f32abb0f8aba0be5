using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AnomalyAE.Hosting.Models;

/// <summary>
/// Holds the model that serves. It loads the configured file when the host starts (start-up fails if the file cannot
/// serve); <see cref="ModelReloader"/> replaces it later. Scoring holds a lease, so a replacement takes effect between
/// batches and the old model is disposed only after its last batch.
/// </summary>
internal sealed class ModelStore(IOptions<ScoringOptions> options, ILogger<ModelStore> log) : IHostedService, IDisposable
{
    private readonly Lock _gate = new();
    private LoadedModel? _current;

    /// <summary>True once a model serves (after start-up), for readiness.</summary>
    public bool IsLoaded
    {
        get { lock (_gate) return _current is not null; }
    }

    /// <summary>The version of the model file loaded at start-up.</summary>
    public ModelFileStamp LoadedStamp { get; private set; }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var o = options.Value;
        // Stamped before loading: a file replaced while it loads counts as changed, and the reloader picks it up.
        LoadedStamp = ModelFileStamp.Of(o.ModelPath);
        var model = LoadedModel.Load(o);
        Replace(model);
        log.LogInformation("Loaded model {Path}{Signed}: needs fields {Fields}", o.ModelPath,
            LoadedModel.SigningKey(o) is { } key ? $" (signature verified, key {key.KeyId})" : "", string.Join(", ", model.Scorer.RequiredFields));
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>The model to score the next batch with; dispose the lease when the batch is committed.</summary>
    public ModelLease Acquire()
    {
        lock (_gate)
        {
            if (_current is null) throw new InvalidOperationException("No model is loaded: the model store has not started.");
            _current.References++;
            return new ModelLease(this, _current);
        }
    }

    /// <summary>Serves <paramref name="next"/> from the next lease on; the previous model is disposed after its last lease.</summary>
    public void Replace(LoadedModel next)
    {
        LoadedModel? previous;
        lock (_gate)
        {
            previous = _current;
            _current = next;
        }
        if (previous is not null) Release(previous);
    }

    public void Release(LoadedModel model)
    {
        bool last;
        lock (_gate) last = --model.References == 0;
        if (last) model.Dispose();
    }

    public void Dispose()
    {
        LoadedModel? current;
        lock (_gate)
        {
            current = _current;
            _current = null;
        }
        if (current is not null) Release(current);
    }
}

/// <summary>Use of a model for one batch.</summary>
internal sealed class ModelLease(ModelStore store, LoadedModel model) : IDisposable
{
    private int _released;

    public LoadedModel Model { get; } = model;

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _released, 1) == 0) store.Release(Model);
    }
}
