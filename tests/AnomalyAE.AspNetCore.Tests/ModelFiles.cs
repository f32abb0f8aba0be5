namespace AnomalyAE.AspNetCore.Tests;

/// <summary>Two models of the same schema trained once per test class (seeds 1 and 2), and a scratch folder.</summary>
public sealed class ModelFiles : IDisposable
{
    public ModelFiles()
    {
        TestModels.Train(First, seed: 1);
        TestModels.Train(Second, seed: 2);
    }

    public string Folder { get; } = Directory.CreateTempSubdirectory("anomalyae-web-").FullName;

    public string First => Path.Combine(Folder, "first.aeml");

    public string Second => Path.Combine(Folder, "second.aeml");

    /// <summary>A copy of <paramref name="model"/> under a new name, for a test that replaces it.</summary>
    public string Copy(string model)
    {
        string path = Path.Combine(Folder, $"served-{Guid.NewGuid():N}.aeml");
        File.Copy(model, path);
        return path;
    }

    /// <summary>Replaces <paramref name="path"/> with <paramref name="source"/> by a rename, as a deployment should, with a later write time.</summary>
    public static void Replace(string path, string source)
    {
        string temporary = path + ".new";
        File.Copy(source, temporary, overwrite: true);
        File.SetLastWriteTimeUtc(temporary, File.GetLastWriteTimeUtc(path).AddSeconds(1));
        File.Move(temporary, path, overwrite: true);
    }

    public void Dispose() => Directory.Delete(Folder, recursive: true);
}
