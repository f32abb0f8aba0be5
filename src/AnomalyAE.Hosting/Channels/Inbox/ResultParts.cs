using System.Text;

namespace AnomalyAE.Hosting.Channels.Inbox;

/// <summary>
/// The results of an open file saved beside it for a checkpoint: one part file per <see cref="ResultKind"/>,
/// <c>.NAME.OWNER.scores</c>, <c>.alerts</c>, <c>.rejections</c>, appended up to each checkpoint's mark and flushed to disk
/// before the checkpoint records their lengths. Only the owner a checkpoint names writes its parts: a worker that takes
/// the file over reads them up to those lengths and starts parts of its own, so a former owner that wakes up late
/// writes only into parts nobody reads.
/// </summary>
internal sealed class ResultParts(string owner)
{
    private readonly int[] _savedChars = new int[3];

    /// <summary>The worker whose parts these are.</summary>
    public string Owner { get; } = owner;

    /// <summary>Bytes saved per kind: the lengths a checkpoint records.</summary>
    public long[] Bytes { get; } = new long[3];

    /// <summary>Appends what <paramref name="results"/> hold up to <paramref name="mark"/> and is not saved yet, and flushes it to disk.</summary>
    public void Save(string folder, string name, InboxFileResults results, ResultsMark mark)
    {
        foreach (var kind in Enum.GetValues<ResultKind>())
        {
            int k = (int)kind, from = _savedChars[k], to = mark.Lengths[k];
            if (to == from) continue;
            var bytes = Encoding.UTF8.GetBytes(results.Text(kind).ToString(from, to - from));
            using (var part = new FileStream(PathOf(folder, name, Owner, kind), from == 0 ? FileMode.Create : FileMode.Append, FileAccess.Write, FileShare.Read))
            {
                part.Write(bytes);
                part.Flush(flushToDisk: true);
            }
            Bytes[k] += bytes.Length;
            _savedChars[k] = to;
        }
    }

    /// <summary>
    /// The texts <paramref name="owner"/> saved beside <paramref name="name"/> in <paramref name="folder"/>, each cut at
    /// the length a checkpoint recorded; null when a part is missing or shorter (then they cannot be trusted).
    /// </summary>
    public static string[]? Load(string folder, string name, string owner, long[] lengths)
    {
        var texts = new string[3];
        foreach (var kind in Enum.GetValues<ResultKind>())
        {
            long length = lengths[(int)kind];
            if (length == 0)
            {
                texts[(int)kind] = "";
                continue;
            }
            try
            {
                using var part = File.OpenRead(PathOf(folder, name, owner, kind));
                if (part.Length < length) return null;
                var bytes = new byte[length];
                part.ReadExactly(bytes);
                texts[(int)kind] = Encoding.UTF8.GetString(bytes);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return null;
            }
        }
        return texts;
    }

    /// <summary>Deletes the parts of <paramref name="owner"/> beside <paramref name="name"/> in <paramref name="folder"/>.</summary>
    public static void Delete(string folder, string name, string owner)
    {
        foreach (var kind in Enum.GetValues<ResultKind>()) FileMoves.TryDelete(PathOf(folder, name, owner, kind));
    }

    /// <summary>Moves this owner's parts of <paramref name="name"/> from <paramref name="folder"/> into <paramref name="target"/>.</summary>
    public void Move(string folder, string name, string target)
    {
        foreach (var kind in Enum.GetValues<ResultKind>())
        {
            string from = PathOf(folder, name, Owner, kind);
            if (File.Exists(from)) File.Move(from, PathOf(target, name, Owner, kind), overwrite: true);
        }
    }

    private static string PathOf(string folder, string name, string owner, ResultKind kind) =>
        Path.Combine(folder, $".{name}.{owner}.{kind.ToString().ToLowerInvariant()}");
}
