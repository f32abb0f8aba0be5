using System.Globalization;
using System.Text;
using System.Text.Json;
using AnomalyAE.Hosting.Records;
using Microsoft.Extensions.Logging;

namespace AnomalyAE.Hosting.Channels;

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
/// <b>Ownership.</b> Each worker renews a lease (<c>processing/WORKER/.lease</c>) every third of
/// <see cref="InboxOptions.LeaseTimeout"/>. A worker resumes only its own files, files directly in <c>processing/</c>
/// (released by a worker that stopped mid-file, or left by an older version), and the files of a worker whose lease has
/// not changed for a whole LeaseTimeout as observed by this worker (killed, or its machine gone): it moves them into its
/// own folder by rename, so only one worker takes each. As outputs are only written when a file is complete, a resumed
/// file is neither lost nor duplicated.
/// </para>
/// </summary>
internal sealed class InboxChannel : IRecordChannel
{
    private const string LeaseName = ".lease";
    private const string ReadyMarker = ".ready";
    private const int MaxScoringAttempts = 3;

    private readonly string _inbox, _processing, _out, _done, _deadLetter, _mine, _lockPath;
    private readonly InboxOptions _options;
    private readonly string _idField;
    private readonly ILogger _log;
    private readonly TimeProvider _time;
    private readonly Timer _heartbeat;
    private readonly object _beatLock = new();
    private Dictionary<string, Observation> _inboxSeen = new(StringComparer.Ordinal);
    private Dictionary<string, Observation> _leaseSeen = new(StringComparer.Ordinal);

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
        _alertTopFeatures = alertTopFeatures;
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        string root = options.Directory;
        _inbox = Folder(root, "inbox");
        _processing = Folder(root, "processing");
        _out = Folder(root, "out");
        _done = Folder(root, "done");
        _deadLetter = Folder(root, "deadletter");
        _lockPath = Path.Combine(Path.GetFullPath(root), ".claim.lock");
        _idField = idField;
        _log = log;
        _time = time ?? TimeProvider.System;
        WorkerId = $"{Safe(Environment.MachineName)}-{Environment.ProcessId}-{Guid.NewGuid():N}"[..^24];
        _mine = Path.Combine(_processing, WorkerId);
        Beat();
        var period = options.LeaseTimeout / 3;
        _heartbeat = new Timer(_ => Beat(), null, period, period);
    }

    /// <summary>This worker's id: the name of its folder under processing/.</summary>
    public string WorkerId { get; }

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
        Task.FromResult<long?>((_records?.Count ?? 0) - _next + Directory.EnumerateFiles(_inbox).Count(IsData)
            + Directory.EnumerateFiles(_processing, "*", SearchOption.AllDirectories).Count(IsData));

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        lock (_beatLock)
        {
            if (_disposed) return ValueTask.CompletedTask;
            _disposed = true;
        }
        _heartbeat.Dispose();
        try
        {
            // Release unfinished files at once (a file directly in processing/ is anyone's to resume), then the lease.
            if (Directory.Exists(_mine))
            {
                foreach (var file in Directory.GetFiles(_mine).Where(IsData))
                {
                    TryMove(file, Path.Combine(_processing, Path.GetFileName(file)));
                    _log.LogInformation("Released {File} unfinished: another worker, or the next start, resumes it", Path.GetFileName(file));
                }
                if (!Directory.EnumerateFiles(_mine).Any(IsData)) Directory.Delete(_mine, recursive: true);
            }
        }
        catch (IOException e)
        {
            _log.LogWarning(e, "Could not release processing/{Worker}; its files are resumed after its lease expires", WorkerId);
        }
        return ValueTask.CompletedTask;
    }

    private void Beat()
    {
        lock (_beatLock)
        {
            if (_disposed) return;
            try
            {
                Directory.CreateDirectory(_mine);
                File.WriteAllText(Path.Combine(_mine, LeaseName),
                    $"worker {WorkerId} on {Environment.MachineName}, process {Environment.ProcessId}, alive at {_time.GetUtcNow():O}\n");
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                _log.LogWarning(e, "Could not renew the lease of processing/{Worker}", WorkerId);
            }
        }
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
        string? file = TakeOverOrphan() ?? ClaimFromInbox();
        if (file is null) return;

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
        _records = Path.GetExtension(file).Equals(".csv", StringComparison.OrdinalIgnoreCase) ? ReadCsv(bytes) : ReadJsonLines(bytes);
        _log.LogInformation("Claimed {File}: {Records} records", Path.GetFileName(file), _records.Count);
        FinishIfComplete();
    }

    private string? TakeOverOrphan()
    {
        // 1. Files directly in processing/: released by a stopping worker, or left by an older version.
        foreach (var orphan in Directory.EnumerateFiles(_processing).Where(IsData).Order(StringComparer.Ordinal).ToList())
        {
            var claimed = Path.Combine(_mine, Path.GetFileName(orphan));
            if (!TryMove(orphan, claimed)) continue;
            _log.LogWarning("Resuming {File}, left in processing/ by an interrupted run", Path.GetFileName(orphan));
            return claimed;
        }
        // 2. Files of a worker whose lease has not been renewed for LeaseTimeout.
        var seen = new Dictionary<string, Observation>(StringComparer.Ordinal);
        string? taken = null;
        foreach (var folder in Directory.EnumerateDirectories(_processing).Order(StringComparer.Ordinal).ToList())
        {
            if (string.Equals(folder, _mine, StringComparison.Ordinal)) continue;
            var lease = new FileInfo(Path.Combine(folder, LeaseName));
            var state = lease.Exists ? (lease.Length, lease.LastWriteTimeUtc) : (-1L, Directory.GetLastWriteTimeUtc(folder));
            if (!Observe(_leaseSeen, seen, folder, state, _options.LeaseTimeout) || taken is not null) continue;
            string owner = Path.GetFileName(folder);
            foreach (var orphan in Directory.EnumerateFiles(folder).Where(IsData).Order(StringComparer.Ordinal).ToList())
            {
                var claimed = Path.Combine(_mine, Path.GetFileName(orphan));
                if (!TryMove(orphan, claimed)) continue;
                _log.LogWarning("Resuming {File}, left in processing/{Owner} by a worker whose lease expired", Path.GetFileName(orphan), owner);
                taken = claimed;
                break;
            }
            if (taken is null) TryDeleteAbandoned(folder);
        }
        _leaseSeen = seen;
        return taken;
    }

    private void TryDeleteAbandoned(string folder)
    {
        try
        {
            // Never recursive: should the owner be alive after all and claim a file meanwhile, the folder is not empty.
            if (Directory.EnumerateFiles(folder).Any(IsData)) return;
            TryDelete(Path.Combine(folder, LeaseName));
            Directory.Delete(folder, recursive: false);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private string? ClaimFromInbox()
    {
        var files = Directory.GetFiles(_inbox);
        var ready = files.Where(f => f.EndsWith(ReadyMarker, StringComparison.OrdinalIgnoreCase)).Select(f => f[..^ReadyMarker.Length]).ToHashSet(StringComparer.Ordinal);
        var seen = new Dictionary<string, Observation>(StringComparer.Ordinal);
        var candidates = new List<(string Path, DateTime Modified)>();
        foreach (var file in files.Where(IsData))
        {
            var info = new FileInfo(file);
            if (!info.Exists) continue;
            bool marked = ready.Contains(file);
            if (!marked && _options.RequireReadyMarker) continue;
            bool settled = Observe(_inboxSeen, seen, file, (info.Length, info.LastWriteTimeUtc), _options.SettleTime);
            if (marked || settled) candidates.Add((file, info.LastWriteTimeUtc));
        }
        _inboxSeen = seen;
        if (candidates.Count == 0) return null;

        using var claimLock = TryLock();
        if (claimLock is null) return null; // another worker is claiming: try again on the next poll
        foreach (var (candidate, _) in candidates.OrderBy(c => c.Modified).ThenBy(c => c.Path, StringComparer.Ordinal))
        {
            string name = Path.GetFileNameWithoutExtension(candidate), extension = Path.GetExtension(candidate);
            string stem = UniqueStem(name);
            string marker = candidate + ReadyMarker;
            bool marked = ready.Contains(candidate);
            var claimed = Path.Combine(_mine, stem + extension);
            Directory.CreateDirectory(_mine);
            if (!TryMove(candidate, claimed)) continue;
            if (marked) TryDelete(marker);
            if (stem != name) _log.LogInformation("{File} was dropped before: its outputs are named {Stem}", Path.GetFileName(candidate), stem);
            return claimed;
        }
        return null;
    }

    /// <summary>NAME, or NAME-2, NAME-3, …: the first not used by any output, done/ copy, dead letter or file in processing.</summary>
    private string UniqueStem(string name)
    {
        var inFlight = Directory.EnumerateFiles(_processing, "*", SearchOption.AllDirectories).Where(IsData)
            .Select(Path.GetFileNameWithoutExtension).ToHashSet(StringComparer.OrdinalIgnoreCase);
        bool Used(string stem) =>
            inFlight.Contains(stem)
            || File.Exists(Path.Combine(_out, stem + ".scores.csv")) || File.Exists(Path.Combine(_out, stem + ".alerts.csv"))
            || File.Exists(Path.Combine(_deadLetter, stem + ".errors.csv"))
            || new[] { ".csv", ".jsonl", ".json" }.Any(e => File.Exists(Path.Combine(_done, stem + e)) || File.Exists(Path.Combine(_deadLetter, stem + e)));
        if (!Used(name)) return name;
        for (int n = 2; ; n++)
        {
            string stem = $"{name}-{n.ToString(CultureInfo.InvariantCulture)}";
            if (!Used(stem)) return stem;
        }
    }

    /// <summary>The claim lock: an exclusive lock on <c>.claim.lock</c> (released by the OS if the process dies).</summary>
    private FileStream? TryLock()
    {
        for (int attempt = 0; attempt < 200; attempt++)
        {
            try
            {
                return new FileStream(_lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException)
            {
                Thread.Sleep(5);
            }
        }
        return null;
    }

    /// <summary>
    /// True when <paramref name="path"/> has shown the same <paramref name="state"/> for at least <paramref name="needed"/>
    /// on this worker's clock (immune to clock skew between the writer's machine and this one).
    /// </summary>
    private bool Observe(Dictionary<string, Observation> previous, Dictionary<string, Observation> next, string path, (long Size, DateTime Modified) state, TimeSpan needed)
    {
        long now = _time.GetTimestamp();
        var observation = previous.TryGetValue(path, out var last) && last.Size == state.Size && last.Modified == state.Modified
            ? last : new Observation(state.Size, state.Modified, now);
        next[path] = observation;
        return needed <= TimeSpan.Zero || _time.GetElapsedTime(observation.Since, now) >= needed;
    }

    private readonly record struct Observation(long Size, DateTime Modified, long Since);

    /// <summary>
    /// RFC 4180 CSV through Sep (the parser the CLI uses too): quoted cells may hold commas, quotes ("") and line breaks;
    /// LF or CRLF; a UTF-8 BOM is ignored. A row with another cell count than the header, or an unclosed quote, is
    /// dead-lettered with its line number.
    /// </summary>
    private TextRecords ReadCsv(byte[] bytes)
    {
        using var text = new StringReader(Text(bytes));
        using var csv = CsvFormat.Reader(text);
        TextRecords? records = null;
        foreach (var row in csv)
        {
            if (row.Span.Length == 0) continue; // an empty line
            int line = row.LineNumberFrom;
            if (records is null)
            {
                var header = new string[row.ColCount];
                for (int c = 0; c < header.Length; c++) header[c] = row[c].ToString().Trim();
                records = TextRecords.WithHeader(header, _idField);
                continue;
            }
            records.Begin(line);
            if (CsvFormat.HasUnclosedQuote(row.Span)) records.End($"line {line} has a quoted cell that is not closed");
            else if (row.ColCount != records.Columns) records.End($"line {line} has {row.ColCount} cells; the header has {records.Columns}");
            else
            {
                for (int c = 0; c < row.ColCount; c++) records.AddCell(row[c].Span);
                records.End();
            }
        }
        return records ?? TextRecords.WithHeader([], _idField);
    }

    private TextRecords ReadJsonLines(byte[] bytes)
    {
        var records = TextRecords.SelfNamed(_idField);
        int number = 0;
        using var reader = new StringReader(Text(bytes));
        for (string? text = reader.ReadLine(); text is not null; text = reader.ReadLine())
        {
            number++;
            if (string.IsNullOrWhiteSpace(text)) continue;
            records.Begin(number);
            try
            {
                using var document = JsonDocument.Parse(text);
                foreach (var property in document.RootElement.EnumerateObject())
                {
                    records.AddCell(property.Name);
                    records.AddCell(property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString() : property.Value.GetRawText());
                }
                records.End();
            }
            catch (Exception e) when (e is JsonException or InvalidOperationException)
            {
                records.End($"line {number.ToString(CultureInfo.InvariantCulture)} is not a JSON object: {e.Message}");
            }
        }
        return records;
    }

    /// <summary>UTF-8 text (a BOM, if any, removed).</summary>
    private static string Text(byte[] bytes)
    {
        using var reader = new StreamReader(new MemoryStream(bytes), Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        return reader.ReadToEnd();
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
            _results.WriteScores(Path.Combine(_out, $"{stem}.scores.csv"), Path.Combine(_out, $"{stem}.alerts.csv"), _idField);
            bool grew = info.Length != _readLength;
            if (grew)
                _results.RejectFile($"the file changed from {_readLength} to {info.Length} bytes after it was claimed (it was still being written); only the first {_readLength} bytes were scored. The input is kept in deadletter/{file}: send the rest in a new file, and rename complete files into inbox/ or mark them with {file}.ready");
            _results.WriteRejections(Path.Combine(_deadLetter, $"{stem}.errors.csv"));
            MoveUnique(current, grew ? _deadLetter : _done);
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

    private static void MoveUnique(string file, string folder)
    {
        string target = Path.Combine(folder, Path.GetFileName(file));
        for (int n = 2; ; n++)
        {
            try
            {
                File.Move(file, target, overwrite: false);
                return;
            }
            catch (IOException) when (File.Exists(target) && File.Exists(file))
            {
                target = Path.Combine(folder, $"{Path.GetFileNameWithoutExtension(file)}-{n.ToString(CultureInfo.InvariantCulture)}{Path.GetExtension(file)}");
            }
        }
    }

    private static bool TryMove(string from, string to)
    {
        try
        {
            File.Move(from, to, overwrite: false); // a rename: of several workers, exactly one wins
            return true;
        }
        catch (IOException)
        {
            return false; // another worker took it, or it vanished
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private static bool IsData(string path)
    {
        string name = Path.GetFileName(path);
        return !name.StartsWith('.') && Path.GetExtension(name).ToLowerInvariant() is ".csv" or ".jsonl" or ".json";
    }

    private static string Safe(string text) => new([.. text.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '_')]);

    private static string Folder(string root, string name) => Directory.CreateDirectory(Path.Combine(root, name)).FullName;
}
