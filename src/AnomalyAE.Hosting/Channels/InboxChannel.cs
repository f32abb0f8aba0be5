using System.Globalization;
using System.Text;
using System.Text.Json;
using AnomalyAE.Hosting.Records;
using Microsoft.Extensions.Logging;

namespace AnomalyAE.Hosting.Channels;

/// <summary>
/// Directory inbox. A CSV (with header) or JSON-lines file dropped into <c>inbox/</c> is claimed by an atomic rename
/// into <c>processing/</c>, scored, its results written atomically to <c>out/NAME.scores.csv</c> (and anomalies to
/// <c>out/NAME.alerts.csv</c>), rejected rows to <c>deadletter/NAME.errors.csv</c> with the reason, and the input moved
/// to <c>done/</c>. Files left in <c>processing/</c> by a crash are processed again on start; as their outputs are
/// only written when complete, nothing is lost or duplicated.
/// </summary>
public sealed class InboxChannel : IRecordChannel
{
    private readonly string _inbox, _processing, _out, _done, _deadLetter;
    private readonly string _idField;
    private readonly ILogger _log;
    private readonly Queue<ScoringRecord> _pending = new();
    private readonly List<RecordOutcome> _outcomes = [];
    private string? _current;
    private int _currentCount;

    /// <summary>Creates the folders under <paramref name="root"/>.</summary>
    public InboxChannel(string root, string idField, ILogger log)
    {
        _inbox = Folder(root, "inbox");
        _processing = Folder(root, "processing");
        _out = Folder(root, "out");
        _done = Folder(root, "done");
        _deadLetter = Folder(root, "deadletter");
        _idField = idField;
        _log = log;
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<ScoringRecord>> ReadAsync(int maxRecords, CancellationToken cancellationToken)
    {
        if (_pending.Count == 0 && _current is null) ClaimNextFile();
        var batch = new List<ScoringRecord>();
        while (batch.Count < maxRecords && _pending.TryDequeue(out var record)) batch.Add(record);
        return Task.FromResult<IReadOnlyList<ScoringRecord>>(batch);
    }

    /// <inheritdoc />
    public Task CommitAsync(IReadOnlyList<RecordOutcome> outcomes, CancellationToken cancellationToken)
    {
        _outcomes.AddRange(outcomes);
        if (_current is not null && _pending.Count == 0 && _outcomes.Count >= _currentCount) FinishFile();
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<long?> BacklogAsync(CancellationToken cancellationToken) =>
        Task.FromResult<long?>(_pending.Count + Directory.GetFiles(_inbox).Length + Directory.GetFiles(_processing).Length);

    /// <inheritdoc />
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private void ClaimNextFile()
    {
        // Resume what a crashed run left in processing/ first, then claim the oldest inbox file.
        var file = Directory.GetFiles(_processing).Where(IsData).Order().FirstOrDefault();
        if (file is null)
        {
            foreach (var candidate in Directory.GetFiles(_inbox).Where(IsData).OrderBy(File.GetLastWriteTimeUtc).ThenBy(f => f))
            {
                var claimed = Path.Combine(_processing, Path.GetFileName(candidate));
                try
                {
                    File.Move(candidate, claimed); // atomic: of several workers sharing the inbox, one wins
                    file = claimed;
                    break;
                }
                catch (IOException) { } // another worker claimed it, or it vanished
            }
        }
        else _log.LogWarning("Resuming {File}, left in processing/ by an interrupted run", Path.GetFileName(file));
        if (file is null) return;

        _current = file;
        _outcomes.Clear();
        var records = Path.GetExtension(file).Equals(".csv", StringComparison.OrdinalIgnoreCase) ? ReadCsv(file) : ReadJsonLines(file);
        foreach (var record in records) _pending.Enqueue(record);
        _currentCount = _pending.Count;
        _log.LogInformation("Claimed {File}: {Records} records", Path.GetFileName(file), _currentCount);
        if (_currentCount == 0) FinishFile();
    }

    private IEnumerable<ScoringRecord> ReadCsv(string file)
    {
        var lines = File.ReadAllLines(file);
        if (lines.Length == 0) yield break;
        var header = lines[0].Split(',').Select(h => h.Trim()).ToArray();
        for (int i = 1; i < lines.Length; i++)
        {
            if (lines[i].Length == 0) continue;
            var cells = lines[i].Split(',');
            var fields = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            string line = (i + 1).ToString(CultureInfo.InvariantCulture);
            if (cells.Length != header.Length)
            {
                yield return new ScoringRecord($"line-{line}", fields, line, $"line {line} has {cells.Length} cells; the header has {header.Length}");
                continue;
            }
            for (int c = 0; c < header.Length; c++) fields[header[c]] = cells[c];
            yield return new ScoringRecord(fields.GetValueOrDefault(_idField) ?? $"line-{line}", fields, line);
        }
    }

    private IEnumerable<ScoringRecord> ReadJsonLines(string file)
    {
        int number = 0;
        foreach (var text in File.ReadLines(file))
        {
            number++;
            if (string.IsNullOrWhiteSpace(text)) continue;
            string line = number.ToString(CultureInfo.InvariantCulture);
            var fields = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            string? problem = null;
            try
            {
                using var document = JsonDocument.Parse(text);
                foreach (var property in document.RootElement.EnumerateObject())
                    fields[property.Name] = property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString()! : property.Value.GetRawText();
            }
            catch (Exception e) when (e is JsonException or InvalidOperationException)
            {
                problem = $"line {line} is not a JSON object: {e.Message}";
            }
            yield return new ScoringRecord(fields.GetValueOrDefault(_idField) ?? $"line-{line}", fields, line, problem);
        }
    }

    private void FinishFile()
    {
        string name = Path.GetFileNameWithoutExtension(_current!);
        var scored = _outcomes.Where(o => o.Scored).ToList();
        WriteAtomically(Path.Combine(_out, $"{name}.scores.csv"), "id,score,anomaly", scored.Select(Row));
        WriteAtomically(Path.Combine(_out, $"{name}.alerts.csv"), "id,score,anomaly", scored.Where(o => o.IsAnomaly).Select(Row));
        var rejected = _outcomes.Where(o => !o.Scored).ToList();
        if (rejected.Count > 0)
            WriteAtomically(Path.Combine(_deadLetter, $"{name}.errors.csv"), "line,id,reason", rejected.Select(o => $"{o.Record.Receipt},{Escape(o.Record.Id)},{Escape(o.Error!)}"));
        File.Move(_current!, Path.Combine(_done, Path.GetFileName(_current!)), overwrite: true);
        _log.LogInformation("Finished {File}: {Scored} scored, {Anomalies} anomalies, {Rejected} dead-lettered", Path.GetFileName(_current!), scored.Count, scored.Count(o => o.IsAnomaly), rejected.Count);
        _current = null;
        _outcomes.Clear();
    }

    private static string Row(RecordOutcome o) =>
        $"{Escape(o.Record.Id)},{o.Score.ToString("R", CultureInfo.InvariantCulture)},{(o.IsAnomaly ? "true" : "false")}";

    private static void WriteAtomically(string path, string header, IEnumerable<string> rows)
    {
        string temporary = path + ".tmp";
        File.WriteAllLines(temporary, rows.Prepend(header), new UTF8Encoding(false));
        File.Move(temporary, path, overwrite: true);
    }

    private static string Escape(string text) => text.IndexOfAny([',', '"', '\n']) < 0 ? text : "\"" + text.Replace("\"", "\"\"") + "\"";

    private static bool IsData(string path) => Path.GetExtension(path).ToLowerInvariant() is ".csv" or ".jsonl" or ".json";

    private static string Folder(string root, string name) => Directory.CreateDirectory(Path.Combine(root, name)).FullName;
}
