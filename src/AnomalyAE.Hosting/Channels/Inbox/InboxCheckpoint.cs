using System.Text.Json;
using AnomalyAE.Persistence;

namespace AnomalyAE.Hosting.Channels.Inbox;

/// <summary>
/// The durable progress of an open inbox file, <c>.NAME.progress</c> beside it (written atomically and flushed to disk):
/// how far it was read with every record committed (byte offset, line breaks, the last bytes before the offset to tell
/// a rewritten file, the CSV header's length), which file it is (device and inode where known), and its results up to
/// there, kept in <see cref="ResultParts"/> of <see cref="Owner"/>. A worker resuming the file after kill -9, a release
/// or a lease takeover goes on from here: no record is lost and none is in the results twice.
/// </summary>
/// <param name="Owner">The worker whose result parts hold <see cref="Results"/>.</param>
/// <param name="Identity">The file's <see cref="FileIdentity"/> as text; null where unknown.</param>
/// <param name="Offset">Bytes read, every record in them committed.</param>
/// <param name="Lines">Line breaks in those bytes (the next record's line number is counted from here).</param>
/// <param name="HeaderEnd">Length of the CSV header (0 for JSON lines).</param>
/// <param name="Tail">The last bytes before <see cref="Offset"/>; different bytes there mean the file was rewritten.</param>
/// <param name="Marked">Claimed with a <c>.ready</c> marker (complete by contract).</param>
/// <param name="Results">The results' columns, counts and text lengths.</param>
/// <param name="PartBytes">The length of each result part, per <see cref="ResultKind"/>.</param>
internal sealed record InboxCheckpoint(string Owner, string? Identity, long Offset, int Lines, long HeaderEnd, byte[] Tail, bool Marked, ResultsMark Results, long[] PartBytes)
{
    /// <summary>Writes the checkpoint of <paramref name="name"/> into <paramref name="folder"/>, replacing the one there.</summary>
    public void Save(string folder, string name) => AtomicFile.WriteText(PathOf(folder, name), w => w.Write(JsonSerializer.Serialize(this)));

    /// <summary>The checkpoint of <paramref name="name"/> in <paramref name="folder"/>; null when there is none, or it cannot be read.</summary>
    public static InboxCheckpoint? Load(string folder, string name, out string? problem)
    {
        problem = null;
        string path = PathOf(folder, name);
        try
        {
            return File.Exists(path) ? JsonSerializer.Deserialize<InboxCheckpoint>(File.ReadAllText(path)) : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException or NotSupportedException)
        {
            problem = e.Message;
            return null;
        }
    }

    /// <summary>Deletes the checkpoint of <paramref name="name"/> in <paramref name="folder"/> and its owner's result parts.</summary>
    public static void Delete(string folder, string name, string? owner)
    {
        FileMoves.TryDelete(PathOf(folder, name));
        if (owner is not null) ResultParts.Delete(folder, name, owner);
    }

    /// <summary>Moves the checkpoint of <paramref name="name"/> from <paramref name="folder"/> into <paramref name="target"/>.</summary>
    public static void Move(string folder, string name, string target)
    {
        string from = PathOf(folder, name);
        if (File.Exists(from)) File.Move(from, PathOf(target, name), overwrite: true);
    }

    private static string PathOf(string folder, string name) => Path.Combine(folder, $".{name}.progress");
}
