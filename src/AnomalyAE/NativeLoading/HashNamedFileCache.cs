using System.Security.Cryptography;

namespace AnomalyAE.NativeLoading;

/// <summary>
/// Files derived from a source file, kept under <c>&lt;root&gt;/&lt;sha256 of the source&gt;/&lt;name&gt;</c>. Several processes
/// (or threads) may ask for the same file at once: each writes a private temporary file and renames it into place, so
/// a reader sees either no file or a complete one, never a partial one; an existing file is reused when its content is
/// exactly what would be written.
/// </summary>
internal static class HashNamedFileCache
{
    /// <summary>The environment variable that moves the cache (tests point it at a fresh folder).</summary>
    public const string RootVariable = "ANOMALYAE_NATIVE_CACHE";

    /// <summary>
    /// <c>$ANOMALYAE_NATIVE_CACHE</c>, else <c>$XDG_CACHE_HOME/anomalyae/native</c>, else <c>~/.cache/anomalyae/native</c>;
    /// null when none can be named (no home folder).
    /// </summary>
    public static string? DefaultRoot()
    {
        if (Environment.GetEnvironmentVariable(RootVariable) is { Length: > 0 } configured) return Path.GetFullPath(configured);
        if (Environment.GetEnvironmentVariable("XDG_CACHE_HOME") is { Length: > 0 } xdg && Path.IsPathRooted(xdg))
            return Path.Combine(xdg, "anomalyae", "native");
        string home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        return home.Length == 0 ? null : Path.Combine(home, ".cache", "anomalyae", "native");
    }

    /// <summary>
    /// The path of <paramref name="fileName"/> holding <paramref name="derive"/>(<paramref name="source"/>) in the folder
    /// named by the source's SHA-256, written now unless an identical file is already there.
    /// </summary>
    public static string GetOrCreate(string root, string fileName, byte[] source, Func<byte[], byte[]> derive)
    {
        string folder = Path.Combine(root, Convert.ToHexStringLower(SHA256.HashData(source)));
        string path = Path.Combine(folder, fileName);
        byte[] content = derive(source);
        if (HoldsExactly(path, content)) return path;

        Directory.CreateDirectory(folder);
        string temporary = Path.Combine(folder, $".{fileName}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                stream.Write(content);
                stream.Flush(flushToDisk: true);
            }
            // rename(2) replaces atomically; a process that already mapped the old file keeps its (identical) inode.
            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
        return path;
    }

    private static bool HoldsExactly(string path, byte[] content)
    {
        try
        {
            var info = new FileInfo(path);
            return info.Exists && info.Length == content.Length && File.ReadAllBytes(path).AsSpan().SequenceEqual(content);
        }
        catch (IOException) { return false; }
        catch (UnauthorizedAccessException) { return false; }
    }
}
