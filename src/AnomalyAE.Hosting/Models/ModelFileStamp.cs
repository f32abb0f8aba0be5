namespace AnomalyAE.Hosting.Models;

/// <summary>What identifies one version of the model file: its modification time and length (default when it is missing).</summary>
internal readonly record struct ModelFileStamp(DateTime LastWriteTimeUtc, long Length)
{
    public static ModelFileStamp Of(string path)
    {
        var file = new FileInfo(path);
        return file.Exists ? new(file.LastWriteTimeUtc, file.Length) : default;
    }
}
