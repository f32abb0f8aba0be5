using AnomalyAE.Runtime;

namespace AnomalyAE;

/// <summary>
/// The model a host serves from a file, replaced when the file changes (the scoring worker and the ASP.NET Core scorer use it). Each use takes a <see cref="Lease"/>; a replaced model is disposed after its last lease, so a swap takes effect
/// between uses and never under one. A file is known by its modification time and length.
/// </summary>
/// <typeparam name="T">What the host serves from the file (such as a <see cref="ScoringModelFile"/>).</typeparam>
/// <param name="path">The model file.</param>
/// <param name="load">Loads the file; throws when it cannot serve.</param>
public sealed class ReloadableModelFile<T>(string path, Func<T> load) : IDisposable where T : class, IDisposable
{
    private sealed record Entry(T Model, ReferenceCount References);

    private readonly Lock _loading = new();
    private Entry? _current;
    private (DateTime LastWriteTimeUtc, long Length) _seen;

    /// <summary>True once a model serves.</summary>
    public bool IsLoaded => Volatile.Read(ref _current) is not null;

    /// <summary>Loads the file now and serves it; throws what the load throws.</summary>
    public T Load()
    {
        lock (_loading)
        {
            // Stamped before loading: a file replaced while it loads counts as changed, and the next check picks it up.
            _seen = Stamp();
            return Serve(load());
        }
    }

    /// <summary>
    /// Loads and serves the file if it changed since the last load or attempt; null when it did not change. A load that
    /// throws leaves the current model serving, and that version of the file is not tried again until it changes.
    /// </summary>
    public T? ReloadIfChanged()
    {
        lock (_loading)
        {
            var stamp = Stamp();
            if (stamp == _seen) return null;
            _seen = stamp;
            return Serve(load());
        }
    }

    /// <summary>The model to use now; dispose the lease when done with it.</summary>
    public Lease Acquire()
    {
        while (true)
        {
            var entry = Volatile.Read(ref _current) ?? throw new InvalidOperationException($"No model is loaded from {path} yet.");
            // Fails only when a swap replaced this entry and its last lease released it meanwhile: take the new one.
            if (entry.References.TryAcquire()) return new Lease(entry.Model, entry.References);
        }
    }

    /// <summary>Stops serving; the model is disposed after its last lease.</summary>
    public void Dispose() => Interlocked.Exchange(ref _current, null)?.References.Release();

    private T Serve(T model)
    {
        var previous = Interlocked.Exchange(ref _current, new Entry(model, new ReferenceCount(model.Dispose)));
        previous?.References.Release();
        return model;
    }

    private (DateTime, long) Stamp()
    {
        var file = new FileInfo(path);
        return file.Exists ? (file.LastWriteTimeUtc, file.Length) : default;
    }

    /// <summary>One use of the served model.</summary>
    public sealed class Lease : IDisposable
    {
        private readonly ReferenceCount _references;
        private int _released;

        internal Lease(T model, ReferenceCount references)
        {
            Model = model;
            _references = references;
        }

        /// <summary>The model served when the lease was taken.</summary>
        public T Model { get; }

        /// <summary>Ends this use.</summary>
        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0) _references.Release();
        }
    }
}
