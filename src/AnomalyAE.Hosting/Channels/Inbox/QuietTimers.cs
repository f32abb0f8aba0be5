namespace AnomalyAE.Hosting.Channels.Inbox;

/// <summary>A file's size and modification time: what "unchanged" compares.</summary>
internal readonly record struct FileState(long Length, DateTime Modified)
{
    public static FileState Of(FileInfo info) => new(info.Length, info.LastWriteTimeUtc);
}

/// <summary>
/// How long each of many paths (inbox files, other workers' leases) has shown the same <see cref="FileState"/>, on this
/// worker's clock, so clock skew between a writer's machine and this one does not matter. A sweep observes every path
/// of interest; paths not observed in a sweep are forgotten when it ends.
/// </summary>
internal sealed class QuietTimers(TimeProvider time)
{
    private Dictionary<string, Sighting> _last = new(StringComparer.Ordinal), _current = new(StringComparer.Ordinal);

    /// <summary>Records <paramref name="state"/> of <paramref name="path"/>; returns since when (a timestamp of the worker's clock) it has shown it.</summary>
    public long Observe(string path, FileState state)
    {
        var sighting = _last.TryGetValue(path, out var last) && last.State == state ? last : new Sighting(state, time.GetTimestamp());
        _current[path] = sighting;
        return sighting.Since;
    }

    /// <summary>True when <paramref name="path"/> has shown <paramref name="state"/> for at least <paramref name="needed"/>.</summary>
    public bool UnchangedFor(string path, FileState state, TimeSpan needed) => UnchangedFor(path, state, needed, out _);

    /// <summary>
    /// True when <paramref name="path"/> has shown <paramref name="state"/> for at least <paramref name="needed"/>;
    /// <paramref name="since"/> tells since when (a timestamp of the worker's clock).
    /// </summary>
    public bool UnchangedFor(string path, FileState state, TimeSpan needed, out long since)
    {
        since = Observe(path, state);
        return needed <= TimeSpan.Zero || time.GetElapsedTime(since) >= needed;
    }

    /// <summary>Ends a sweep: what it did not observe is forgotten.</summary>
    public void EndSweep()
    {
        (_last, _current) = (_current, _last);
        _current.Clear();
    }

    private readonly record struct Sighting(FileState State, long Since);
}
