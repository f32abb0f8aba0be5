namespace AnomalyAE.Tabular;

/// <summary>Every row's score of one detector on one set and seed, as raw little-endian float32 (numpy: np.fromfile(path, np.float32)).</summary>
internal static class ScoreFiles
{
    public static void Write(string folder, string set, string method, int seed, float[] scores)
    {
        Directory.CreateDirectory(folder);
        string safe = string.Concat(method.Select(c => char.IsLetterOrDigit(c) || c is '-' or '_' ? c : '_'));
        var bytes = new byte[scores.Length * sizeof(float)];
        Buffer.BlockCopy(scores, 0, bytes, 0, bytes.Length);
        File.WriteAllBytes(Path.Combine(folder, $"{set}.{safe}.{seed}.f32"), bytes);
    }
}
