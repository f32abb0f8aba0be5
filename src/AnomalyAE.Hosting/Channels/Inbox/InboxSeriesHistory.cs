using AnomalyAE.Hosting.Records;

namespace AnomalyAE.Hosting.Channels.Inbox;

/// <summary>
/// An inbox batch's place in its file, for a sequence model: a file is one scope of windows (its series start at the file's
/// start, as <c>Transform</c> of the file starts them), its batches follow each other, and the records before a batch — to
/// rebuild the windows after a restart from a checkpoint, a failed batch or a model change — are the file's records before
/// the batch's piece, read again in parts, then the piece's records before the batch.
/// </summary>
internal sealed class InboxSeriesHistory(string scope, bool atStart, string path, string idField, long pieceStart, TextRecords piece, int firstInPiece) : ISeriesHistory
{
    public string Scope => scope;
    public bool Contiguous => true;
    public bool AtStart => atStart;

    public (long Major, long Minor) Position(int record) => (0, firstInPiece + record);

    /// <summary>A file's batches follow each other: nothing lies between them.</summary>
    public Task<RecordBatch?> BetweenAsync((long Major, long Minor) after, int limit, CancellationToken cancellationToken) => Task.FromResult<RecordBatch?>(RecordBatch.Empty);

    /// <summary>Every record before the batch (a file's windows are rebuilt whole; <paramref name="series"/> and <paramref name="steps"/> are not needed to choose).</summary>
    public async IAsyncEnumerable<RecordBatch> BeforeAsync(IReadOnlySet<string>? series, Func<RecordBatch, int, string> seriesOf, int steps,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await Task.Yield();
        using (var look = FileLook.Open(path))
        {
            if (look is null) throw new IOException($"Inbox file '{path}' is gone; its windows cannot be rebuilt.");
            var parser = RecordFileParser.For(path, idField);
            long offset = 0;
            int lines = 0, size = OpenInboxFile.PieceBytes;
            while (offset < pieceStart)
            {
                cancellationToken.ThrowIfCancellationRequested();
                int length = (int)Math.Min(size, pieceStart - offset);
                var parsed = parser.Parse(look.Read(offset, length), offset, lines, final: offset + length == pieceStart);
                if (parsed.Bytes == 0)
                {
                    if (offset + length == pieceStart) break;
                    size = (int)Math.Min(2L * size, Array.MaxLength); // a record longer than a part
                    continue;
                }
                offset += parsed.Bytes;
                lines += parsed.Lines;
                if (parsed.Records.Count > 0) yield return parsed.Records.Slice(0, parsed.Records.Count);
            }
        }
        if (firstInPiece > 0) yield return piece.Slice(0, firstInPiece);
    }
}
