using AnomalyAE.Hosting.Records;

namespace AnomalyAE.Hosting.Channels.Inbox;

/// <summary>What <see cref="OpenInboxFile.Look"/> found.</summary>
internal enum FileLookResult
{
    /// <summary>The same file, as long as before or longer (what was appended is read).</summary>
    Same,
    /// <summary>Nothing, or another file, is at its path: it was taken over or removed.</summary>
    Gone,
    /// <summary>Shorter than what was read: truncated.</summary>
    Shrunk,
    /// <summary>The bytes before the read offset changed: rewritten in place.</summary>
    Rewritten,
}

/// <summary>
/// A file this worker claimed and reads while its writer may still append to it. It is read piece by piece (complete
/// records only, see <see cref="RecordFileParser"/>), each <see cref="Look"/> checking that it is still the same file
/// (identity, no shorter, the bytes before the offset unchanged) and reading what was appended once the records read
/// before are all committed. It keeps the results so far, where every record is committed (what a checkpoint saves),
/// and since when its size and modification time have been unchanged on this worker's clock.
/// </summary>
internal sealed class OpenInboxFile
{
    internal const int PieceBytes = 8 << 20;   // read at most this much at a time (more only for a longer record)
    private const int TailLength = 64;

    private readonly RecordFileParser _parser;
    private readonly string _idField;
    private readonly TimeProvider _time;
    private readonly Queue<Piece> _pieces = new();
    private readonly ResultParts _parts;
    private FileState? _state;
    private long _unchangedSince;
    private byte[] _tail = [];
    private int _lines;
    private Progress _committed;
    private ResultsMark _committedResults;
    private long _savedOffset;
    private int _savedRecords;
    private (Piece Piece, int Start, int Count)? _inFlight;

    /// <summary>A claimed file, read from its start.</summary>
    /// <param name="claim">The claim.</param>
    /// <param name="owner">This worker's id (its checkpoint's result parts carry it).</param>
    /// <param name="idField">The record id field.</param>
    /// <param name="complete">Complete by contract (a <c>.ready</c> marker, or a quiet time of 0): finished once read, never waited for.</param>
    /// <param name="time">The worker's clock.</param>
    public OpenInboxFile(FileClaim claim, string owner, string idField, bool complete, TimeProvider time)
    {
        Path = claim.Path;
        Complete = complete;
        _parser = RecordFileParser.For(claim.Path, idField);
        _idField = idField;
        _time = time;
        _parts = new ResultParts(owner);
        if (claim.Unchanged is { } unchanged)
        {
            _state = unchanged.State;
            _unchangedSince = unchanged.Since;
        }
        _committed = new Progress(0, 0, []);
        _committedResults = Results.Mark();
    }

    /// <summary>Where the file is: processing/WORKER/NAME.EXT.</summary>
    public string Path { get; }

    public string Name => System.IO.Path.GetFileName(Path);

    public string Stem => System.IO.Path.GetFileNameWithoutExtension(Path);

    private string Folder => System.IO.Path.GetDirectoryName(Path)!;

    /// <summary>Complete by contract: finished as soon as it is read, and not watched for appends afterwards.</summary>
    public bool Complete { get; private set; }

    public FileIdentity? Identity { get; private set; }

    /// <summary>Bytes parsed into records so far.</summary>
    public long Offset { get; private set; }

    /// <summary>The file's size and modification time at the last look.</summary>
    public FileState State => _state ?? default;

    /// <summary>The file's length at the last look.</summary>
    public long Length => State.Length;

    /// <summary>Bytes of the CSV header (what a file of rows appended later repeats); 0 for JSON lines.</summary>
    public long HeaderEnd => _parser.HeaderEnd;

    public InboxFileResults Results { get; private set; } = new();

    /// <summary>The worker whose result parts the next checkpoint writes (this one).</summary>
    public string Owner => _parts.Owner;

    /// <summary>Records read and not yet handed out.</summary>
    public int Waiting => _pieces.Sum(p => p.Records.Count - p.Next);

    /// <summary>True when every record read so far is committed.</summary>
    public bool CaughtUp => _pieces.Count == 0;

    /// <summary>Records with an outcome since the last checkpoint: what a worker resuming from it scores again.</summary>
    public int RecordsSinceCheckpoint => Results.Records - _savedRecords;

    /// <summary>Bytes the last checkpoint covers: where a worker resuming the file goes on.</summary>
    public long CheckpointOffset => _savedOffset;

    /// <summary>True when the committed progress is ahead of the last checkpoint.</summary>
    public bool CheckpointDue => _committed.Offset > _savedOffset;

    /// <summary>True when the file is complete by contract or has been unchanged for <paramref name="quietTime"/>.</summary>
    public bool Quiet(TimeSpan quietTime) => Complete || (_state is not null && _time.GetElapsedTime(_unchangedSince) >= quietTime);

    /// <summary>True when every record is committed, nothing is left to read and the file is quiet: it can be finished.</summary>
    public bool Finishable(TimeSpan quietTime) => CaughtUp && Length == Offset && Quiet(quietTime);

    /// <summary>
    /// Opens the file by its path and checks it is the file claimed, no shorter than read and not rewritten; then, once
    /// the records read before are all committed, reads what was appended: complete records, or every byte once the file
    /// is quiet.
    /// </summary>
    public FileLookResult Look(TimeSpan quietTime)
    {
        using var look = FileLook.Open(Path);
        if (look is null || !FileIdentity.Same(Identity, look.Identity)) return FileLookResult.Gone;
        Identity ??= look.Identity;
        if (look.State != _state)
        {
            bool shrunk = look.Length < Offset, rewritten = !shrunk && !TailUnchanged(look);
            _state = look.State;
            _unchangedSince = _time.GetTimestamp();
            if (shrunk) return FileLookResult.Shrunk;
            if (rewritten) return FileLookResult.Rewritten;
        }
        if (CaughtUp && look.Length > Offset) ReadPiece(look, Quiet(quietTime));
        return FileLookResult.Same;
    }

    /// <summary>The next records to score, at most <paramref name="maxRecords"/>; null when none are waiting.</summary>
    public RecordBatch? TakeBatch(int maxRecords)
    {
        var piece = _pieces.FirstOrDefault(p => p.Next < p.Records.Count);
        if (piece is null) return null;
        int count = Math.Min(maxRecords, piece.Records.Count - piece.Next);
        _inFlight = (piece, piece.Next, count);
        piece.Next += count;
        int start = _inFlight.Value.Start;
        var history = new InboxSeriesHistory($"{Path}#{Identity}", start == 0 && piece.Start <= _parser.HeaderEnd, Path, _idField, piece.Start, piece.Records, start);
        return piece.Records.Slice(start, count, history);
    }

    /// <summary>Records the outcomes of the batch taken last.</summary>
    public void Commit(ScoredBatch outcomes, int alertTopFeatures)
    {
        var (piece, start, count) = _inFlight!.Value;
        Results.Add(outcomes, start, piece.Records, alertTopFeatures);
        Committed(piece, count);
    }

    /// <summary>Hands the batch taken last out again (scoring it failed).</summary>
    public int Retry()
    {
        var (piece, start, count) = _inFlight!.Value;
        piece.Next = start;
        _inFlight = null;
        return count;
    }

    /// <summary>Rejects every record of the batch taken last with <paramref name="reason"/>.</summary>
    public void RejectBatch(string reason)
    {
        var (piece, start, count) = _inFlight!.Value;
        for (int r = start; r < start + count; r++) Results.Reject(piece.Records, r, reason);
        Committed(piece, count);
    }

    /// <summary>
    /// Goes on from <paramref name="checkpoint"/>, saved in <paramref name="folder"/> by the worker that had the file
    /// before: its results and where it stood. False (and the file is read from its start) when the checkpoint is not
    /// this file's or its result parts are damaged, with the reason in <paramref name="problem"/>.
    /// </summary>
    public bool Resume(InboxCheckpoint checkpoint, string folder, out string? problem)
    {
        problem = null;
        var texts = ResultParts.Load(folder, Name, checkpoint.Owner, checkpoint.PartBytes);
        if (texts is null)
        {
            problem = "its saved results are missing or shorter than its checkpoint says";
            return false;
        }
        using (var look = FileLook.Open(Path))
        {
            if (look is null) return false;
            if (!FileIdentity.Same(FileIdentity.Parse(checkpoint.Identity), look.Identity))
            {
                problem = "its checkpoint belongs to another file of the same name";
                return false;
            }
            if (checkpoint.HeaderEnd > 0 && look.Length >= checkpoint.HeaderEnd)
                _parser.RestoreHeader(look.Read(0, (int)checkpoint.HeaderEnd), checkpoint.HeaderEnd);
        }
        Results = InboxFileResults.Restore(checkpoint.Results, texts);
        Complete |= checkpoint.Marked;
        Offset = _savedOffset = checkpoint.Offset;
        _savedRecords = checkpoint.Results.Records;
        _tail = checkpoint.Tail;
        _committed = new Progress(checkpoint.Offset, checkpoint.Lines, checkpoint.Tail);
        _committedResults = checkpoint.Results;
        _lines = checkpoint.Lines;
        return true;
    }

    /// <summary>
    /// Saves the committed progress beside the file: the result parts first (flushed to disk), then the checkpoint that
    /// names their lengths, atomically; a kill at any point leaves the previous checkpoint or this one.
    /// </summary>
    public void SaveCheckpoint()
    {
        _parts.Save(Folder, Name, Results, _committedResults);
        new InboxCheckpoint(Owner, Identity?.ToString(), _committed.Offset, _committed.Lines, HeaderEnd, _committed.Tail, Complete,
            _committedResults, [.. _parts.Bytes]).Save(Folder, Name);
        _savedOffset = _committed.Offset;
        _savedRecords = _committedResults.Records;
    }

    /// <summary>
    /// Saves the committed progress and moves the checkpoint, its result parts, then the file into
    /// <paramref name="target"/>, for another worker to go on from there. False when the file could not be moved.
    /// </summary>
    public bool Release(string target)
    {
        SaveCheckpoint();
        _parts.Move(Folder, Name, target);
        InboxCheckpoint.Move(Folder, Name, target);
        return FileMoves.TryMove(Path, System.IO.Path.Combine(target, Name));
    }

    /// <summary>Deletes this file's checkpoint and result parts (finished, or given up).</summary>
    public void DeleteCheckpoint() => InboxCheckpoint.Delete(Folder, Name, Owner);

    private void Committed(Piece piece, int count)
    {
        _inFlight = null;
        piece.Committed += count;
        while (_pieces.TryPeek(out var front) && front.Committed == front.Records.Count)
        {
            _pieces.Dequeue();
            _committed = front.End;
            _committedResults = Results.Mark();
        }
    }

    private void ReadPiece(FileLook look, bool quiet)
    {
        long available = look.Length - Offset;
        int size = (int)Math.Min(available, PieceBytes);
        byte[] bytes;
        ParsedPiece parsed;
        while (true)
        {
            bytes = look.Read(Offset, size);
            parsed = _parser.Parse(bytes, Offset, _lines, final: quiet && bytes.Length == available);
            if (parsed.Bytes > 0 || bytes.Length < size || size == available) break;
            size = (int)Math.Min(available, Math.Min(2L * size, Array.MaxLength)); // no complete record yet: a longer one
        }
        if (parsed.Bytes == 0) return;
        long start = Offset;
        _tail = Tail(_tail, bytes.AsSpan(0, parsed.Bytes));
        Offset += parsed.Bytes;
        _lines += parsed.Lines;
        var end = new Progress(Offset, _lines, _tail);
        if (parsed.Records.Count > 0)
        {
            _pieces.Enqueue(new Piece(parsed.Records, start, end));
        }
        else
        {
            _committed = end; // a header or blank lines: nothing to score
            _committedResults = Results.Mark();
        }
    }

    private bool TailUnchanged(FileLook look) => _tail.Length == 0 || look.Read(Offset - _tail.Length, _tail.Length).AsSpan().SequenceEqual(_tail);

    private static byte[] Tail(byte[] before, ReadOnlySpan<byte> read) =>
        read.Length >= TailLength ? read[^TailLength..].ToArray() : [.. before.AsSpan(Math.Max(0, before.Length + read.Length - TailLength)), .. read];

    /// <summary>Where the file stands: bytes read, line breaks in them, the last bytes before the offset.</summary>
    private sealed record Progress(long Offset, int Lines, byte[] Tail);

    /// <summary>The records of one read, handed out in batches; its end is committed once they all are.</summary>
    private sealed class Piece(TextRecords records, long start, Progress end)
    {
        public TextRecords Records { get; } = records;
        /// <summary>The file offset the piece was read from.</summary>
        public long Start { get; } = start;
        public Progress End { get; } = end;
        public int Next { get; set; }
        public int Committed { get; set; }
    }
}
