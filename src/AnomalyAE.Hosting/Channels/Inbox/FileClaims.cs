using Microsoft.Extensions.Logging;

namespace AnomalyAE.Hosting.Channels.Inbox;

/// <summary>A file this worker claimed: now at <paramref name="Path"/> in its folder.</summary>
/// <param name="Path">The file in processing/WORKER/.</param>
/// <param name="Marked">Claimed with a <c>.ready</c> marker: complete by contract.</param>
/// <param name="Unchanged">The file's size and modification time when claimed, and since when (this worker's clock) they were seen; null for a resumed file.</param>
/// <param name="From">For a resumed file, the folder it was taken from (its checkpoint, if any, is there); null for a new one.</param>
internal sealed record FileClaim(string Path, bool Marked, (FileState State, long Since)? Unchanged, string? From);

/// <summary>
/// Claims files for this worker by an atomic rename into its folder, so of several workers exactly one gets each:
/// first files left unfinished (released to processing/ by a worker that stopped, or in the folder of a worker whose
/// lease expired), then new files from inbox/ that are complete (a <c>.ready</c> marker, or unchanged for
/// <see cref="InboxOptions.SettleTime"/>), oldest first, under unique output names.
/// </summary>
internal sealed class FileClaims
{
    /// <summary>The suffix of the marker that says a file in inbox/ is complete: <c>NAME.csv.ready</c>.</summary>
    public const string ReadyMarker = ".ready";

    private readonly InboxFolders _folders;
    private readonly WorkerLease _lease;
    private readonly InboxOptions _options;
    private readonly ILogger _log;
    private readonly QuietTimers _inboxFiles, _leases;

    public FileClaims(InboxFolders folders, WorkerLease lease, InboxOptions options, ILogger log, TimeProvider time)
    {
        _folders = folders;
        _lease = lease;
        _options = options;
        _log = log;
        _inboxFiles = new QuietTimers(time);
        _leases = new QuietTimers(time);
    }

    /// <summary>The next file to work on, now in this worker's folder; null when there is none.</summary>
    public FileClaim? Next() => TakeOverOrphan() ?? ClaimFromInbox();

    private FileClaim? TakeOverOrphan()
    {
        // 1. Files directly in processing/: released by a stopping worker, or left by an older version.
        foreach (var orphan in Directory.EnumerateFiles(_folders.Processing).Where(InboxFolders.IsData).Order(StringComparer.Ordinal).ToList())
        {
            var claimed = Path.Combine(_lease.Folder, Path.GetFileName(orphan));
            if (!FileMoves.TryMove(orphan, claimed)) continue;
            _log.LogWarning("Resuming {File}, left in processing/ by an interrupted run", Path.GetFileName(orphan));
            return new FileClaim(claimed, Marked: false, Unchanged: null, From: _folders.Processing);
        }
        // 2. Files of a worker whose lease has not been renewed for LeaseTimeout.
        FileClaim? taken = null;
        foreach (var folder in Directory.EnumerateDirectories(_folders.Processing).Order(StringComparer.Ordinal).ToList())
        {
            if (string.Equals(folder, _lease.Folder, StringComparison.Ordinal)) continue;
            var lease = new FileInfo(Path.Combine(folder, WorkerLease.FileName));
            var state = lease.Exists ? FileState.Of(lease) : new FileState(-1, Directory.GetLastWriteTimeUtc(folder));
            if (!_leases.UnchangedFor(folder, state, _options.LeaseTimeout) || taken is not null) continue;
            string owner = Path.GetFileName(folder);
            foreach (var orphan in Directory.EnumerateFiles(folder).Where(InboxFolders.IsData).Order(StringComparer.Ordinal).ToList())
            {
                var claimed = Path.Combine(_lease.Folder, Path.GetFileName(orphan));
                if (!FileMoves.TryMove(orphan, claimed)) continue;
                _log.LogWarning("Resuming {File}, left in processing/{Owner} by a worker whose lease expired", Path.GetFileName(orphan), owner);
                taken = new FileClaim(claimed, Marked: false, Unchanged: null, From: folder);
                break;
            }
            if (taken is null) TryDeleteAbandoned(folder);
        }
        _leases.EndSweep();
        return taken;
    }

    private static void TryDeleteAbandoned(string folder)
    {
        try
        {
            // File by file, never the folder recursively: should the owner be alive after all and claim a file
            // meanwhile, its data file stays and so does the folder. What is left is the lease and stale checkpoints.
            var files = Directory.GetFiles(folder);
            if (files.Any(InboxFolders.IsData)) return;
            foreach (var file in files) FileMoves.TryDelete(file);
            Directory.Delete(folder, recursive: false);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private FileClaim? ClaimFromInbox()
    {
        var files = Directory.GetFiles(_folders.Inbox);
        var ready = files.Where(f => f.EndsWith(ReadyMarker, StringComparison.OrdinalIgnoreCase)).Select(f => f[..^ReadyMarker.Length]).ToHashSet(StringComparer.Ordinal);
        var candidates = new List<(string Path, FileState State, long Since)>();
        foreach (var file in files.Where(InboxFolders.IsData))
        {
            var info = new FileInfo(file);
            if (!info.Exists) continue;
            bool marked = ready.Contains(file);
            if (!marked && _options.RequireReadyMarker) continue;
            var state = FileState.Of(info);
            bool settled = _inboxFiles.UnchangedFor(file, state, _options.SettleTime, out long since);
            if (marked || settled) candidates.Add((file, state, since));
        }
        _inboxFiles.EndSweep();
        if (candidates.Count == 0) return null;

        using var claimLock = TryLock();
        if (claimLock is null) return null; // another worker is claiming: try again on the next poll
        foreach (var (candidate, state, since) in candidates.OrderBy(c => c.State.Modified).ThenBy(c => c.Path, StringComparer.Ordinal))
        {
            string name = Path.GetFileNameWithoutExtension(candidate), extension = Path.GetExtension(candidate);
            string stem = _folders.UniqueStem(name);
            bool marked = ready.Contains(candidate);
            var claimed = Path.Combine(_lease.Folder, stem + extension);
            Directory.CreateDirectory(_lease.Folder);
            if (!FileMoves.TryMove(candidate, claimed)) continue;
            if (marked) FileMoves.TryDelete(candidate + ReadyMarker);
            if (stem != name) _log.LogInformation("{File} was dropped before: its outputs are named {Stem}", Path.GetFileName(candidate), stem);
            return new FileClaim(claimed, marked, (state, since), From: null);
        }
        return null;
    }

    /// <summary>The claim lock: an exclusive lock on <c>.claim.lock</c> (released by the OS if the process dies).</summary>
    private FileStream? TryLock()
    {
        for (int attempt = 0; attempt < 200; attempt++)
        {
            try
            {
                return new FileStream(_folders.ClaimLock, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException)
            {
                Thread.Sleep(5);
            }
        }
        return null;
    }
}
