using System.Globalization;

namespace AnomalyAE.Hosting.Channels.Inbox;

/// <summary>
/// Files this worker finished by quiet time, watched in done/ for rows their writer still appends (it paused longer
/// than <see cref="InboxOptions.QuietTime"/>): once the file is quiet again, the bytes appended are handed on as a new
/// inbox file <c>NAME-late.EXT</c> (behind the CSV header, with a <c>.ready</c> marker), so they are scored too, and
/// reported (<see cref="InboxIncidents.AppendedAfterFinish"/>). A file is watched for <see cref="WatchFactor"/> times the
/// quiet time after it was finished or last grew; the watch lives in this worker's memory and ends with it.
/// </summary>
internal sealed class LateAppends(InboxFolders folders, TimeSpan quietTime, InboxIncidents incidents, TimeProvider time)
{
    /// <summary>How many quiet times a finished file is watched (1 min with the default 5 s).</summary>
    public const int WatchFactor = 12;

    private readonly List<Watched> _watched = [];

    /// <summary>Files watched now.</summary>
    public int Count => _watched.Count;

    /// <summary>Starts watching <paramref name="file"/>, finished and now at <paramref name="done"/>.</summary>
    public void Watch(OpenInboxFile file, string done) =>
        _watched.Add(new Watched(done, file.Identity, file.Offset, file.HeaderEnd) { State = file.State, Since = time.GetTimestamp() });

    /// <summary>Looks at every watched file: hands on what was appended to a file that is quiet again, drops expired watches.</summary>
    public void Look()
    {
        foreach (var watched in _watched.ToList())
        {
            // A stat first: the file is opened (identity, reads) only when it changed.
            var info = new FileInfo(watched.Path);
            var state = info.Exists ? FileState.Of(info) : default;
            if (state != watched.State)
            {
                if (!Same(watched, out var look))
                {
                    _watched.Remove(watched);
                    continue;
                }
                using (look) watched.State = look!.State;
                watched.Since = time.GetTimestamp();
            }
            var unchanged = time.GetElapsedTime(watched.Since);
            if (watched.State.Length > watched.Handed && unchanged >= quietTime)
            {
                if (Same(watched, out var look))
                    using (look) HandOn(watched, look!);
                else
                    _watched.Remove(watched);
            }
            else if (unchanged >= quietTime * WatchFactor)
            {
                _watched.Remove(watched);
            }
        }
    }

    /// <summary>Opens the watched file; false when it is gone, another file, or shorter than what was scored (then it is no longer watched).</summary>
    private static bool Same(Watched watched, out FileLook? look)
    {
        look = FileLook.Open(watched.Path);
        if (look is not null && FileIdentity.Same(watched.Identity, look.Identity) && look.Length >= watched.Handed) return true;
        look?.Dispose();
        look = null;
        return false;
    }

    /// <summary>Writes the appended bytes (behind the header) as a hidden file in inbox/, marks the name ready, then renames the file in.</summary>
    private void HandOn(Watched watched, FileLook look)
    {
        var header = look.Read(0, (int)watched.HeaderEnd);
        var appended = look.Read(watched.Handed, (int)(look.Length - watched.Handed));
        string name = LateName(Path.GetFileNameWithoutExtension(watched.Path), Path.GetExtension(watched.Path));
        string part = Path.Combine(folders.Inbox, $".{name}.part"), target = Path.Combine(folders.Inbox, name);
        using (var file = new FileStream(part, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            file.Write(header);
            if (header.Length > 0 && header[^1] != '\n') file.WriteByte((byte)'\n');
            file.Write(appended);
            file.Flush(flushToDisk: true);
        }
        File.WriteAllBytes(target + FileClaims.ReadyMarker, []); // before the file appears: it is claimed as complete
        File.Move(part, target, overwrite: false);
        watched.Handed += appended.Length;
        incidents.AppendedAfterFinish(Path.GetFileName(watched.Path), appended.Length, name);
    }

    /// <summary>STEM-late.EXT, or STEM-late-2.EXT, …: the first name free in inbox/.</summary>
    private string LateName(string stem, string extension)
    {
        for (int n = 1; ; n++)
        {
            string name = n == 1 ? $"{stem}-late{extension}" : $"{stem}-late-{n.ToString(CultureInfo.InvariantCulture)}{extension}";
            string path = Path.Combine(folders.Inbox, name);
            if (!File.Exists(path) && !File.Exists(path + FileClaims.ReadyMarker)) return name;
        }
    }

    /// <summary>A finished file: where it is, which file it is, how much of it was scored or handed on, its CSV header's length.</summary>
    private sealed class Watched(string path, FileIdentity? identity, long handed, long headerEnd)
    {
        public string Path { get; } = path;
        public FileIdentity? Identity { get; } = identity;
        public long Handed { get; set; } = handed;
        public long HeaderEnd { get; } = headerEnd;
        public FileState State { get; set; }
        public long Since { get; set; }
    }
}
