using Microsoft.Win32.SafeHandles;

namespace AnomalyAE.Hosting.Channels.Inbox;

/// <summary>
/// One look at a file through a handle opened by path: its identity, size and modification time all describe the one
/// file the handle is open on, and reads come from it, even if the path is renamed meanwhile. Writers, renames and
/// deletion are not blocked.
/// </summary>
internal sealed class FileLook : IDisposable
{
    private readonly SafeFileHandle _handle;

    private FileLook(SafeFileHandle handle)
    {
        _handle = handle;
        Identity = FileIdentity.Of(handle);
        State = new FileState(RandomAccess.GetLength(handle), File.GetLastWriteTimeUtc(handle));
    }

    /// <summary>Opens <paramref name="path"/>; null when nothing is there.</summary>
    public static FileLook? Open(string path)
    {
        try
        {
            return new FileLook(File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete));
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    public FileIdentity? Identity { get; }

    /// <summary>Size and modification time when the look began.</summary>
    public FileState State { get; }

    public long Length => State.Length;

    /// <summary>Bytes <paramref name="offset"/> … offset + count − 1 (fewer if the file is shorter now).</summary>
    public byte[] Read(long offset, int count)
    {
        var bytes = new byte[count];
        int total = 0;
        while (total < count)
        {
            int read = RandomAccess.Read(_handle, bytes.AsSpan(total), offset + total);
            if (read == 0) break;
            total += read;
        }
        return total == count ? bytes : bytes[..total];
    }

    public void Dispose() => _handle.Dispose();
}
