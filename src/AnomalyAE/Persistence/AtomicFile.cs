namespace AnomalyAE.Persistence;

/// <summary>
/// Writes a file so that readers see the old file or the complete new one, never a partial write: the content goes to a
/// hidden temporary file beside the target (<c>.NAME.GUID.tmp</c>), is flushed to disk, then renamed over the target
/// (atomic on one volume). Used for model files, the CLI's CSV output and the worker inbox's results; the CLI and the
/// worker compile this file in (shared source).
/// </summary>
internal static class AtomicFile
{
    /// <summary>
    /// Writes <paramref name="path"/> with <paramref name="write"/>. A failure is an <see cref="IOException"/> or
    /// <see cref="UnauthorizedAccessException"/> that names <paramref name="path"/>, not the temporary file; the
    /// temporary file is removed and the target left as it was.
    /// </summary>
    public static void Write(string path, Action<Stream> write)
    {
        string full = Path.GetFullPath(path);
        string temporary = Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                write(file);
                file.Flush(flushToDisk: true);
            }
            File.Move(temporary, full, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException && e.Message.Contains(temporary, StringComparison.Ordinal))
        {
            string message = e.Message.Replace(temporary, full, StringComparison.Ordinal);
            throw e is UnauthorizedAccessException ? new UnauthorizedAccessException(message, e) : new IOException(message, e);
        }
        finally
        {
            try
            {
                if (File.Exists(temporary)) File.Delete(temporary);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // The write's own failure (if any) is the one to report.
            }
        }
    }

    /// <summary>Writes <paramref name="path"/> as UTF-8 text without a byte-order mark.</summary>
    public static void WriteText(string path, Action<TextWriter> write) =>
        Write(path, stream =>
        {
            using var writer = new StreamWriter(stream, new System.Text.UTF8Encoding(false), 1 << 16, leaveOpen: true);
            write(writer);
        });
}
