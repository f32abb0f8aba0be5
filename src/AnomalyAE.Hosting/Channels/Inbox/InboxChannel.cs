using AnomalyAE.Hosting.Records;
using Microsoft.Extensions.Logging;

namespace AnomalyAE.Hosting.Channels.Inbox;

/// <summary>
/// Directory inbox. A CSV (with header) or JSON-lines file in <c>inbox/</c> is claimed once it is complete (see the
/// hand-off below) by an atomic rename into <c>processing/WORKER/</c>, a folder only this worker uses; it is scored,
/// its results written atomically to <c>out/NAME.scores.csv</c> (and anomalies to <c>out/NAME.alerts.csv</c>), rejected
/// rows to <c>deadletter/NAME.errors.csv</c> with the reason, and the input moved to <c>done/</c>. The result columns are
/// the id field and the model's score and predicted-label column names; alerts add <c>top1_feature, top1_share, …</c>
/// (the features with the largest share of the row's reconstruction error) when the model emits feature contributions.
/// <para>
/// <b>Hand-off.</b> A file is complete when (a) it was renamed into <c>inbox/</c> after being written elsewhere (names
/// starting with '.' or not ending in .csv/.jsonl/.json are never claimed, so <c>.NAME.csv.part</c> → <c>NAME.csv</c>
/// works), or (b) a marker <c>NAME.csv.ready</c> exists next to it, or (c) its size and modification time have not
/// changed for <see cref="InboxOptions.SettleTime"/>. With <see cref="InboxOptions.RequireReadyMarker"/> only (b) counts.
/// A file that still grows after it was claimed is not finished as done: the rows read are written, the input goes
/// to <c>deadletter/</c> with the reason, nothing is dropped silently.
/// </para>
/// <para>
/// <b>Names.</b> NAME is the input name without extension, made unique at claim time (<c>same</c>, <c>same-2</c>, …)
/// against out/, done/, deadletter/ and every file in processing/, under a short cross-process file lock
/// (<c>.claim.lock</c> in the root), so the same name dropped twice never overwrites results or the done/ copy.
/// </para>
/// <para>
/// <b>Ownership.</b> Each worker renews a lease (<see cref="WorkerLease"/>). A worker resumes only its own files, files
/// directly in <c>processing/</c> (released by a worker that stopped mid-file, or left by an older version), and the
/// files of a worker whose lease expired (<see cref="FileClaims"/>). As outputs are only written when a file is
/// complete, a resumed file is neither lost nor duplicated.
/// </para>
/// </summary>
internal sealed class InboxChannel : IRecordChannel
{
    private const int MaxScoringAttempts = 3;

    private readonly InboxFolders _folders;
    private readonly WorkerLease _lease;
    private readonly FileClaims _claims;
    private readonly string _idField;
    private readonly ILogger _log;
    private readonly int _alertTopFeatures;
    private TextRecords? _records;
    private readonly InboxFileResults _results = new();
    private int _next, _inFlightStart, _inFlightCount, _failedAttempts;
    private string? _current;
    private long _readLength;
    private bool _disposed;

    /// <summary>Creates the folders under <see cref="InboxOptions.Directory"/> and starts this worker's lease.</summary>
    public InboxChannel(InboxOptions options, string idField, ILogger log, TimeProvider? time = null, int alertTopFeatures = 0)
    {
        ArgumentNullException.ThrowIfNull(options);
        _alertTopFeatures = alertTopFeatures;
        _idField = idField;
        _log = log;
        time ??= TimeProvider.System;
        _folders = new InboxFolders(options.Directory);
        _lease = new WorkerLease(_folders, options.LeaseTimeout, log, time);
        _claims = new FileClaims(_folders, _lease, options, log, time);
    }

    /// <summary>This worker's id: the name of its folder under processing/.</summary>
    public string WorkerId => _lease.WorkerId;

    /// <inheritdoc />
    public Task<RecordBatch> ReadAsync(int maxRecords, CancellationToken cancellationToken)
    {
        if (_inFlightCount > 0) RetryOrRejectUncommittedBatch();
        if (_current is null) ClaimNextFile();
        if (_current is null || _records is null) return Task.FromResult(RecordBatch.Empty);
        int count = Math.Min(maxRecords, _records.Count - _next);
        var batch = _records.Slice(_next, count);
        _inFlightStart = _next;
        _inFlightCount = count;
        _next += count;
        return Task.FromResult(batch);
    }

    /// <inheritdoc />
    public Task CommitAsync(ScoredBatch outcomes, CancellationToken cancellationToken)
    {
        _results.Add(outcomes, _inFlightStart, _records!, _alertTopFeatures);
        _inFlightCount = 0;
        _failedAttempts = 0;
        FinishIfComplete();
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<long?> BacklogAsync(CancellationToken cancellationToken) =>
        Task.FromResult<long?>((_records?.Count ?? 0) - _next + Directory.EnumerateFiles(_folders.Inbox).Count(InboxFolders.IsData)
            + Directory.EnumerateFiles(_folders.Processing, "*", SearchOption.AllDirectories).Count(InboxFolders.IsData));

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        if (_disposed) return ValueTask.CompletedTask;
        _disposed = true;
        _lease.Dispose();
        try
        {
            // Release unfinished files at once (a file directly in processing/ is anyone's to resume), then the lease.
            if (Directory.Exists(_lease.Folder))
            {
                foreach (var file in Directory.GetFiles(_lease.Folder).Where(InboxFolders.IsData))
                {
                    FileMoves.TryMove(file, Path.Combine(_folders.Processing, Path.GetFileName(file)));
                    _log.LogInformation("Released {File} unfinished: another worker, or the next start, resumes it", Path.GetFileName(file));
                }
                if (!Directory.EnumerateFiles(_lease.Folder).Any(InboxFolders.IsData)) Directory.Delete(_lease.Folder, recursive: true);
            }
        }
        catch (IOException e)
        {
            _log.LogWarning(e, "Could not release processing/{Worker}; its files are resumed after its lease expires", WorkerId);
        }
        return ValueTask.CompletedTask;
    }

    private void RetryOrRejectUncommittedBatch()
    {
        // The previous batch was read but never committed: scoring it failed (the worker logged why).
        _failedAttempts++;
        if (_failedAttempts < MaxScoringAttempts)
        {
            _next = _inFlightStart;
            _log.LogWarning("Retrying {Records} records of {File} (attempt {Attempt} of {Max})", _inFlightCount, Path.GetFileName(_current), _failedAttempts + 1, MaxScoringAttempts);
        }
        else
        {
            string reason = $"scoring failed {MaxScoringAttempts} times (see the worker log)";
            for (int r = _inFlightStart; r < _inFlightStart + _inFlightCount; r++) _results.Reject(_records!, r, reason);
            _failedAttempts = 0;
        }
        _inFlightCount = 0;
        FinishIfComplete();
    }

    private void FinishIfComplete()
    {
        if (_current is not null && _records is not null && _next >= _records.Count && _inFlightCount == 0 && _results.Records >= _records.Count) FinishFile();
    }

    private void ClaimNextFile()
    {
        var claim = _claims.Next();
        if (claim is null) return;

        string file = claim.Path;
        _current = file;
        _records = null;
        _results.Clear();
        _next = _inFlightStart = _inFlightCount = _failedAttempts = 0;
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(file);
        }
        catch (IOException e)
        {
            _log.LogError(e, "Could not read {File}; leaving it in processing/ for a retry", Path.GetFileName(file));
            _current = null;
            return;
        }
        _readLength = bytes.Length;
        _records = RecordFileParser.Parse(file, bytes, _idField);
        _log.LogInformation("Claimed {File}: {Records} records", Path.GetFileName(file), _records.Count);
        FinishIfComplete();
    }

    private void FinishFile()
    {
        string current = _current!, file = Path.GetFileName(current), stem = Path.GetFileNameWithoutExtension(current);
        try
        {
            var info = new FileInfo(current);
            if (!info.Exists)
            {
                _log.LogError("{File} is no longer in processing/{Worker}: another worker took it over (this worker's lease lapsed) and writes its results", file, WorkerId);
                return;
            }
            _results.WriteScores(_folders.Scores(stem), _folders.Alerts(stem), _idField);
            bool grew = info.Length != _readLength;
            if (grew)
                _results.RejectFile($"the file changed from {_readLength} to {info.Length} bytes after it was claimed (it was still being written); only the first {_readLength} bytes were scored. The input is kept in deadletter/{file}: send the rest in a new file, and rename complete files into inbox/ or mark them with {file}.ready");
            _results.WriteRejections(_folders.Errors(stem));
            FileMoves.MoveUnique(current, grew ? _folders.DeadLetter : _folders.Done);
            if (grew) _log.LogError("{File} changed after it was claimed; the part read was scored and the input dead-lettered", file);
            _log.LogInformation("Finished {File}: {Scored} scored, {Anomalies} anomalies, {Rejected} dead-lettered", file, _results.Scored, _results.Anomalies, _results.Rejected);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            _log.LogError(e, "{File} vanished from processing/{Worker} while finishing: another worker took it over (this worker's lease lapsed)", file, WorkerId);
        }
        finally
        {
            _current = null;
            _records = null;
            _results.Clear();
            _next = _inFlightCount = 0;
        }
    }
}
