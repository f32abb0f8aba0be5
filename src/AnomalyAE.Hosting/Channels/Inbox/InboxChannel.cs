using AnomalyAE.Hosting.Records;
using AnomalyAE.Hosting.Telemetry;
using Microsoft.Extensions.Logging;

namespace AnomalyAE.Hosting.Channels.Inbox;

/// <summary>
/// Directory inbox. A CSV (with header) or JSON-lines file in <c>inbox/</c> is claimed (see the hand-off below) by an
/// atomic rename into <c>processing/WORKER/</c>, a folder only this worker uses; it is scored, and once finished its
/// results are written atomically to <c>out/NAME.scores.csv</c> (and anomalies to <c>out/NAME.alerts.csv</c>), rejected
/// rows to <c>deadletter/NAME.errors.csv</c> with the reason, and the input moved to <c>done/</c>. The result columns are
/// the id field and the model's score and predicted-label column names; alerts add <c>top1_feature, top1_share, …</c>
/// (the features with the largest share of the row's reconstruction error) when the model emits feature contributions.
/// <para>
/// <b>Hand-off.</b> A file is complete by contract when a marker <c>NAME.csv.ready</c> exists next to it: it is claimed
/// at once and finished once read. Any other file (renamed in from elsewhere, or written in place) is claimed once its
/// size and modification time have not changed for <see cref="InboxOptions.SettleTime"/>, and may still grow: it is
/// read on as it grows (complete records only, see <see cref="OpenInboxFile"/>) and finished once it has not changed for
/// <see cref="InboxOptions.QuietTime"/>, so a writer that pauses longer than the settle time has every row scored once,
/// into one result file. Such open files do not hold the worker up: it claims and scores other files meanwhile, and
/// looks at the open ones again between batches. After each batch that completes what was read of an open file, its
/// progress is saved (<see cref="InboxCheckpoint"/>), so a worker resuming it goes on from there. Rows appended after
/// the file was finished are handed on as a new file (<see cref="LateAppends"/>). What cannot be finished as one file
/// (truncated, removed, taken over, appended to late) is reported by <see cref="InboxIncidents"/>.
/// </para>
/// <para>
/// <b>Names.</b> NAME is the input name without extension, made unique at claim time (<c>same</c>, <c>same-2</c>, …)
/// against out/, done/, deadletter/ and every file in processing/, under a short cross-process file lock
/// (<c>.claim.lock</c> in the root), so the same name dropped twice never overwrites results or the done/ copy.
/// </para>
/// <para>
/// <b>Ownership.</b> Each worker renews a lease (<see cref="WorkerLease"/>). A worker resumes only its own files, files
/// directly in <c>processing/</c> (released by a worker that stopped mid-file, or left by an older version), and the
/// files of a worker whose lease expired (<see cref="FileClaims"/>), from their checkpoint when they have one. As outputs
/// are only written when a file is finished, a resumed file is neither lost nor duplicated.
/// </para>
/// </summary>
internal sealed class InboxChannel : IRecordChannel
{
    private const int MaxScoringAttempts = 3;
    private static readonly TimeSpan LookInterval = TimeSpan.FromMilliseconds(100);

    private readonly InboxOptions _options;
    private readonly InboxFolders _folders;
    private readonly WorkerLease _lease;
    private readonly FileClaims _claims;
    private readonly InboxIncidents _incidents;
    private readonly LateAppends _lateAppends;
    private readonly string _idField;
    private readonly ILogger _log;
    private readonly TimeProvider _time;
    private readonly int _alertTopFeatures;
    private readonly List<OpenInboxFile> _open = [];
    private OpenInboxFile? _inFlight;
    private int _failedAttempts;
    private long _lastLook;
    private bool _disposed;

    /// <summary>Creates the folders under <see cref="InboxOptions.Directory"/> and starts this worker's lease.</summary>
    public InboxChannel(InboxOptions options, string idField, ILogger log, TimeProvider? time = null, int alertTopFeatures = 0, ScoringMetrics? metrics = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _alertTopFeatures = alertTopFeatures;
        _idField = idField;
        _log = log;
        _time = time ?? TimeProvider.System;
        _folders = new InboxFolders(options.Directory);
        _lease = new WorkerLease(_folders, options.LeaseTimeout, log, _time);
        _claims = new FileClaims(_folders, _lease, options, log, _time);
        _incidents = new InboxIncidents(_folders, idField, _lease.WorkerId, log, metrics);
        _lateAppends = new LateAppends(_folders, options.QuietTime, _incidents, _time);
    }

    /// <summary>This worker's id: the name of its folder under processing/.</summary>
    public string WorkerId => _lease.WorkerId;

    /// <inheritdoc />
    public Task<RecordBatch> ReadAsync(int maxRecords, CancellationToken cancellationToken)
    {
        if (_inFlight is { } failed) RetryOrReject(failed);
        bool waiting = _open.Any(f => f.Waiting > 0);
        if (!waiting || _time.GetElapsedTime(_lastLook) >= LookInterval) LookAtOpenFiles();
        while (true)
        {
            foreach (var file in _open)
            {
                if (file.TakeBatch(maxRecords) is not { } batch) continue;
                _inFlight = file;
                return Task.FromResult(batch);
            }
            if (_claims.Next() is not { } claim) return Task.FromResult(RecordBatch.Empty);
            Open(claim);
        }
    }

    /// <inheritdoc />
    /// <summary>False: a file hands out its next batch once the last one is committed (its progress and checkpoint follow the commits).</summary>
    public bool OverlapsCommits => false;

    /// <inheritdoc />
    public Task CommitAsync(ScoredBatch outcomes, CancellationToken cancellationToken)
    {
        var file = _inFlight!;
        file.Commit(outcomes, _alertTopFeatures);
        _inFlight = null;
        _failedAttempts = 0;
        AfterCommit(file);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<long?> BacklogAsync(CancellationToken cancellationToken) =>
        Task.FromResult<long?>(_open.Sum(f => (long)f.Waiting) + Directory.EnumerateFiles(_folders.Inbox).Count(InboxFolders.IsData)
            + Directory.EnumerateFiles(_folders.Processing, "*", SearchOption.AllDirectories).Count(InboxFolders.IsData));

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        if (_disposed) return ValueTask.CompletedTask;
        _disposed = true;
        _lease.Dispose();
        // Release unfinished files at once, with their progress (a file directly in processing/ is anyone's to resume),
        // then remove this worker's folder. What cannot be released is resumed after the lease expires.
        foreach (var file in _open)
        {
            try
            {
                if (file.Release(_folders.Processing))
                    _log.LogInformation("Released {File} unfinished at byte {Offset}: another worker, or the next start, goes on from there", file.Name, file.CheckpointOffset);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                _log.LogWarning(e, "Could not release {File}; it is resumed after this worker's lease expires", file.Name);
            }
        }
        _open.Clear();
        if (_lateAppends.Count > 0)
            _log.LogInformation("No longer watching {Files} recently finished files for rows appended late", _lateAppends.Count);
        try
        {
            if (Directory.Exists(_lease.Folder) && !Directory.EnumerateFiles(_lease.Folder).Any(InboxFolders.IsData))
                Directory.Delete(_lease.Folder, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _log.LogWarning(e, "Could not remove processing/{Worker}", WorkerId);
        }
        return ValueTask.CompletedTask;
    }

    private void RetryOrReject(OpenInboxFile file)
    {
        // The previous batch was read but never committed: scoring it failed (the worker logged why).
        _inFlight = null;
        if (++_failedAttempts < MaxScoringAttempts)
        {
            int count = file.Retry();
            _log.LogWarning("Retrying {Records} records of {File} (attempt {Attempt} of {Max})", count, file.Name, _failedAttempts + 1, MaxScoringAttempts);
            return;
        }
        _failedAttempts = 0;
        file.RejectBatch($"scoring failed {MaxScoringAttempts} times (see the worker log)");
        AfterCommit(file);
    }

    /// <summary>A claimed file: resumed from its checkpoint if it has one, then looked at (read, or finished at once).</summary>
    private void Open(FileClaim claim)
    {
        var file = new OpenInboxFile(claim, WorkerId, _idField, complete: claim.Marked || _options.QuietTime <= TimeSpan.Zero, _time);
        _open.Add(file);
        if (claim.From is { } from) Resume(file, from);
        Check(file);
        _log.LogInformation("Claimed {File}: {Records} records read{Still}", file.Name, file.Waiting, _open.Contains(file) && !file.Complete ? ", may still grow" : "");
    }

    /// <summary>Goes on from the checkpoint the file's previous owner saved in <paramref name="from"/>, if there is a usable one.</summary>
    private void Resume(OpenInboxFile file, string from)
    {
        var checkpoint = InboxCheckpoint.Load(from, file.Name, out string? unreadable);
        string? problem = unreadable;
        bool resumed;
        try
        {
            resumed = checkpoint is not null && file.Resume(checkpoint, from, out problem);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            (resumed, problem) = (false, e.Message);
        }
        if (resumed)
        {
            TrySaveCheckpoint(file);
            if (!string.Equals(from, Path.GetDirectoryName(file.Path), StringComparison.Ordinal)) InboxCheckpoint.Delete(from, file.Name, checkpoint!.Owner);
            _log.LogInformation("Going on with {File} from its checkpoint: byte {Offset}, {Records} records already scored", file.Name, file.Offset, file.Results.Records);
        }
        else if (problem is not null)
        {
            // Nothing of it was written to out/ yet: scoring it all again duplicates nothing.
            _log.LogWarning("Reading {File} again from its start: its checkpoint cannot be used ({Problem})", file.Name, problem);
        }
    }

    private void LookAtOpenFiles()
    {
        _lastLook = _time.GetTimestamp();
        foreach (var file in _open.Where(f => f.CaughtUp).ToList()) Check(file);
        try
        {
            _lateAppends.Look();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _log.LogWarning(e, "Could not hand on rows appended to a finished file; trying again");
        }
    }

    private void AfterCommit(OpenInboxFile file)
    {
        if (file.CaughtUp) Check(file);
        if (_open.Contains(file) && file.CheckpointDue && !file.Complete) TrySaveCheckpoint(file);
    }

    /// <summary>Looks at a file whose records read so far are all committed: reads what was appended, finishes it, or reports what went wrong.</summary>
    private void Check(OpenInboxFile file)
    {
        FileLookResult seen;
        try
        {
            seen = file.Look(_options.QuietTime);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _log.LogWarning(e, "Could not read {File}; trying again", file.Name);
            return;
        }
        try
        {
            switch (seen)
            {
                case FileLookResult.Gone:
                    Lost(file);
                    break;
                case FileLookResult.Shrunk or FileLookResult.Rewritten:
                    _open.Remove(file);
                    file.DeleteCheckpoint();
                    _incidents.Truncated(file, seen);
                    break;
                case FileLookResult.Same when file.Finishable(_options.QuietTime):
                    Finish(file);
                    break;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _log.LogError(e, "Could not finish {File}; trying again", file.Name);
        }
    }

    private void Finish(OpenInboxFile file)
    {
        var results = file.Results;
        results.WriteScores(_folders.Scores(file.Stem), _folders.Alerts(file.Stem), _idField);
        results.WriteRejections(_folders.Errors(file.Stem));
        try
        {
            string done = FileMoves.MoveUnique(file.Path, _folders.Done);
            if (!file.Complete) _lateAppends.Watch(file, done);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            _log.LogError(e, "{File} vanished from processing/{Worker} while finishing: another worker took it over (this worker's lease lapsed)", file.Name, WorkerId);
        }
        _open.Remove(file);
        file.DeleteCheckpoint();
        _log.LogInformation("Finished {File}: {Scored} scored, {Anomalies} anomalies, {Rejected} dead-lettered", file.Name, results.Scored, results.Anomalies, results.Rejected);
    }

    /// <summary>The file is no longer at its path: taken over by another worker (found under the same name with the same identity) or removed.</summary>
    private void Lost(OpenInboxFile file)
    {
        _open.Remove(file);
        if (Elsewhere(file) is { } where)
        {
            _incidents.TakenOver(file, where); // its checkpoint is the new owner's to read and delete
            return;
        }
        file.DeleteCheckpoint();
        _incidents.Removed(file);
    }

    private string? Elsewhere(OpenInboxFile file)
    {
        var places = Directory.EnumerateDirectories(_folders.Processing).Append(_folders.Processing).Append(_folders.Done).Append(_folders.DeadLetter);
        foreach (var folder in places)
        {
            string candidate = Path.Combine(folder, file.Name);
            if (string.Equals(candidate, file.Path, StringComparison.Ordinal)) continue;
            using var look = FileLook.Open(candidate);
            if (look is not null && FileIdentity.Same(file.Identity, look.Identity))
                return $"now {Path.GetRelativePath(Path.GetDirectoryName(_folders.Processing)!, candidate)}";
        }
        return null;
    }

    private void TrySaveCheckpoint(OpenInboxFile file)
    {
        try
        {
            file.SaveCheckpoint();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The file goes on; a worker resuming it would go on from the previous checkpoint (or its start).
            _log.LogWarning(e, "Could not save the progress of {File}", file.Name);
        }
    }
}
