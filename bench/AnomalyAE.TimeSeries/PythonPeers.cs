using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using AnomalyAE.TimeSeries.Evaluation.Data;
using AnomalyAE.TimeSeries.Evaluation.Detectors;

namespace AnomalyAE.TimeSeries;

/// <summary>
/// scikit-learn's detectors on the same sliding windows (peers.py, Debian's python3-sklearn, one thread): one Python
/// process per task runs every method and seed; the scores come back as files and are measured by the same C# metrics.
/// </summary>
internal static class PythonPeers
{
    public const string Python = "/usr/bin/python3";
    public static readonly string[] Methods = ["IsolationForest", "PCA", "KNN"];
    public static readonly bool[] Seeded = [true, false, false];

    public static string Description(string method) => method switch
    {
        "IsolationForest" => "scikit-learn `IsolationForest(random_state=seed)` on the sliding windows, fitted on the training windows",
        "PCA" => "scikit-learn `PCA(n_components=0.9)`: squared reconstruction error of the window, fitted on the training windows",
        _ => "scikit-learn `NearestNeighbors`: distance to the 5th nearest training window",
    };

    public static List<(string Method, int Seed, DetectorScores Scores, double Seconds)> Run(SeriesTask task, int[] seeds, IReadOnlyCollection<string> methods)
    {
        string folder = Directory.CreateTempSubdirectory("anomalyae-ts-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(folder, "meta.json"), JsonSerializer.Serialize(new Dictionary<string, object>
            {
                ["dimensions"] = task.Dimensions, ["train_rows"] = task.TrainRows, ["test_rows"] = task.TestRows,
                ["window"] = task.Window, ["test_follows_train"] = task.TestFollowsTrain,
            }));
            WriteFloats(Path.Combine(folder, "train.f32"), task.Train);
            WriteFloats(Path.Combine(folder, "test.f32"), task.Test);
            var start = new ProcessStartInfo(Python) { RedirectStandardOutput = true, RedirectStandardError = true };
            string script = Path.Combine(AppContext.BaseDirectory, "peers.py");
            foreach (var arg in new[] { script, "--task", folder, "--seeds", string.Join(",", seeds), "--methods", string.Join(",", methods) })
                start.ArgumentList.Add(arg);
            start.Environment["OMP_NUM_THREADS"] = "1";
            start.Environment["OPENBLAS_NUM_THREADS"] = "1";
            using var process = Process.Start(start) ?? throw new InvalidOperationException($"Cannot start {Python}.");
            var stderr = process.StandardError.ReadToEndAsync();
            var lines = new List<string>();
            while (process.StandardOutput.ReadLine() is { } line) lines.Add(line);
            process.WaitForExit();
            if (process.ExitCode != 0)
                throw new InvalidOperationException($"peers.py failed on {task.Dataset} {task.Name} (exit {process.ExitCode}): {stderr.Result}");
            return lines.Where(l => l.StartsWith('{')).Select(l =>
            {
                var json = JsonDocument.Parse(l).RootElement;
                string method = json.GetProperty("method").GetString()!;
                int seed = json.GetProperty("seed").GetInt32();
                var scores = new DetectorScores(ReadDoubles(Path.Combine(folder, $"{method}-{seed}.test.f64")),
                    ReadDoubles(Path.Combine(folder, $"{method}-{seed}.train.f64")));
                if (scores.Test.Length != task.TestRows) throw new InvalidDataException($"peers.py {method}: {scores.Test.Length} scores for {task.TestRows} rows.");
                return (method, seed, scores, json.GetProperty("seconds").GetDouble());
            }).ToList();
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static void WriteFloats(string path, float[] values)
    {
        using var writer = new BinaryWriter(File.Create(path));
        foreach (var v in values) writer.Write(v);
    }

    private static double[] ReadDoubles(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var values = new double[bytes.Length / 8];
        Buffer.BlockCopy(bytes, 0, values, 0, bytes.Length);
        return values;
    }
}
