using System.Diagnostics;
using AnomalyAE.Datasets;
using AnomalyAE.Onnx;
using Microsoft.ML;

namespace AnomalyAE.Bench;

/// <summary>
/// The --onnx mode: the same fitted 784-128-32 autoencoder scored through libtorch (our transformer) and through ONNX Runtime
/// (its ExportToOnnx file loaded with Autoencoders().Load), in the same run: batched rows/s through Transform + cursor, and
/// single-row latency through PredictionEngine and through the lean OnnxRowScorer.
/// </summary>
internal static class OnnxComparison
{
    public static void Run(BenchSettings settings)
    {
        var digits = ImageDataset.ReadPair(Path.Combine(AppContext.BaseDirectory, "data"), "mnist");
        var train = digits.Select(d => d.Features).ToArray();
        var scoring = Enumerable.Range(0, settings.ScoringRows).Select(i => digits[i % digits.Length].Features).ToArray();
        var ml = new MLContext(seed: 1);
        var trainData = Rows.Load(ml, train);
        var scoringData = Rows.Load(ml, scoring);
        Console.WriteLine($"ONNX Runtime vs libtorch scoring: {Cpu()}, {Environment.ProcessorCount} cores; 784-128-32 autoencoder, {scoring.Length} scoring rows; median of {settings.Repeats} runs.");
        Console.WriteLine($"{"measure",-34} {"threads",7} {"libtorch",12} {"ONNX Runtime",14} {"ratio",7}");
        foreach (int threads in settings.Threads)
        {
            using var torch = Measure.Fit(ml, trainData, variational: false, epochs: 1, threads).Model;
            using var buffer = new MemoryStream();
            ml.Autoencoders().ExportToOnnx(torch, trainData.Schema, buffer);
            buffer.Position = 0;
            using var onnx = (OnnxScoringTransformer)ml.Autoencoders().Load(buffer, out _);

            Measure.ScoreRows(torch, scoringData);   // warm-up
            Measure.ScoreRows(onnx, scoringData);
            double torchRows = Measure.Median(settings.Repeats, () => Measure.ScoreRows(torch, scoringData));
            double onnxRows = Measure.Median(settings.Repeats, () => Measure.ScoreRows(onnx, scoringData));
            Console.WriteLine($"{"batched scoring (rows/s)",-34} {threads,7} {torchRows,12:F0} {onnxRows,14:F0} {onnxRows / torchRows,7:F2}   target ONNX ≥ 0.9× libtorch");

            var (torchP50, torchP99, torchBytes) = Measure.PredictionEngineLatency(ml, torch, scoring, 3000);
            var (onnxP50, onnxP99, onnxBytes) = Measure.PredictionEngineLatency(ml, onnx, scoring, 3000);
            Console.WriteLine($"{"PredictionEngine p50 / p99 (µs)",-34} {threads,7} {Micro(torchP50),5} / {Micro(torchP99),-5} {Micro(onnxP50),7} / {Micro(onnxP99),-5}");
            Console.WriteLine($"{"PredictionEngine bytes per row",-34} {threads,7} {torchBytes,12:F0} {onnxBytes,14:F0}");
            using var scorer = onnx.CreateRowScorer();
            var (rowP50, rowP99) = RowScorerLatency(scorer, scoring, 3000);
            Console.WriteLine($"{"OnnxRowScorer p50 / p99 (µs)",-34} {threads,7} {"",12} {Micro(rowP50),7} / {Micro(rowP99),-5}   target p50 ≤ 10 µs");
        }
    }

    private static (double P50, double P99) RowScorerLatency(OnnxRowScorer scorer, float[][] rows, int count)
    {
        for (int i = 0; i < 200; i++) scorer.Score(rows[i % rows.Length]);
        var latencies = new double[count];
        for (int i = 0; i < count; i++)
        {
            var row = rows[i % rows.Length];
            long start = Stopwatch.GetTimestamp();
            scorer.Score(row);
            latencies[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }
        Array.Sort(latencies);
        return (latencies[count / 2], latencies[(int)(count * 0.99)]);
    }

    private static string Micro(double milliseconds) => (milliseconds * 1000).ToString("F1");

    private static string Cpu() =>
        File.Exists("/proc/cpuinfo")
            ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "unknown CPU"
            : "unknown CPU";
}
