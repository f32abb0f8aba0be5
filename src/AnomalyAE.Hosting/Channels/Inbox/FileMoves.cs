using System.Globalization;

namespace AnomalyAE.Hosting.Channels.Inbox;

/// <summary>Renames and deletions within one file system, where a rename is atomic: of several workers, exactly one wins.</summary>
internal static class FileMoves
{
    /// <summary>Renames <paramref name="from"/> to <paramref name="to"/> unless <paramref name="to"/> exists; false when another worker took it, or it vanished.</summary>
    public static bool TryMove(string from, string to)
    {
        try
        {
            File.Move(from, to, overwrite: false);
            return true;
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>Moves <paramref name="file"/> into <paramref name="folder"/> under its name, or NAME-2, NAME-3, … when taken; returns the new path.</summary>
    public static string MoveUnique(string file, string folder)
    {
        string target = Path.Combine(folder, Path.GetFileName(file));
        for (int n = 2; ; n++)
        {
            try
            {
                File.Move(file, target, overwrite: false);
                return target;
            }
            catch (IOException) when (File.Exists(target) && File.Exists(file))
            {
                target = Path.Combine(folder, $"{Path.GetFileNameWithoutExtension(file)}-{n.ToString(CultureInfo.InvariantCulture)}{Path.GetExtension(file)}");
            }
        }
    }

    public static void TryDelete(string path)
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
}
