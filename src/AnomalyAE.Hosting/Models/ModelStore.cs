using AnomalyAE.Runtime;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AnomalyAE.Hosting.Models;

/// <summary>
/// Holds the model that serves. It loads the configured file when the host starts (start-up fails if the file cannot
/// serve); <see cref="ModelReloader"/> replaces it later. Scoring holds a lease, so a replacement takes effect between
/// batches and the old model is disposed only after its last batch.
/// </summary>
internal sealed class ModelStore : IHostedService, IDisposable
{
    private readonly ScoringOptions _options;
    private readonly ILogger<ModelStore> _log;
    private readonly ReloadableModelFile<LoadedModel> _file;

    public ModelStore(IOptions<ScoringOptions> options, ILogger<ModelStore> log)
    {
        _options = options.Value;
        _log = log;
        _file = new ReloadableModelFile<LoadedModel>(_options.ModelPath, () => LoadedModel.Load(_options));
    }

    /// <summary>True once a model serves (after start-up), for readiness.</summary>
    public bool IsLoaded => _file.IsLoaded;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var model = _file.Load();
        _log.LogInformation("Loaded model {Path}{Signed}: needs fields {Fields}", _options.ModelPath,
            LoadedModel.SigningKey(_options) is { } key ? $" (signature verified, key {key.KeyId})" : "", string.Join(", ", model.Scorer.RequiredFields));
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>The model to score the next batch with; dispose the lease when the batch is committed.</summary>
    public ReloadableModelFile<LoadedModel>.Lease Acquire() => _file.Acquire();

    /// <summary>Loads and serves the file if it changed since the last load or attempt (null when unchanged); throws when the new file cannot serve.</summary>
    public LoadedModel? ReloadIfChanged() => _file.ReloadIfChanged();

    public void Dispose() => _file.Dispose();
}
