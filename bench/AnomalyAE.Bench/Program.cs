// Throughput and memory of AnomalyAE's estimators and transformers, side by side with a bare TorchSharp loop doing the
// same math on the same data in the same run (784-d MNIST rows, HiddenLayers = [128], LatentDimension = 32, batch 256).
// Usage: dotnet run --project bench/AnomalyAE.Bench -c Release [-- --threads 1,2] [--rows 50000] [--epochs 4] [--soak 1000000]
//        dotnet run --project bench/AnomalyAE.Bench -c Release -- --onnx [--threads 1,2] [--rows 50000]   (libtorch vs ONNX Runtime scoring)
using System.Diagnostics;
using AnomalyAE;
using AnomalyAE.Bench;
using AnomalyAE.Datasets;
using Microsoft.ML;
using Microsoft.ML.Data;

if (args is ["--soak-child", var modelPath, var soakRows, var passRows])
{
    // The soak in a process of its own, so that its peak working set is the soak's: the scoring rows, the model, the batches.
    Measure.SoakChild(modelPath, long.Parse(soakRows), int.Parse(passRows));
    return;
}
if (args is ["--onnx", .. var onnxArgs])
{
    // libtorch vs ONNX Runtime scoring of one model (bench/RESULTS.md, "ONNX Runtime").
    OnnxComparison.Run(BenchSettings.Parse(onnxArgs));
    return;
}
var settings = BenchSettings.Parse(args);
var digits = ImageDataset.ReadPair(Path.Combine(AppContext.BaseDirectory, "data"), "mnist");
var train = digits.Select(d => d.Features).ToArray();
var scoring = Enumerable.Range(0, settings.ScoringRows).Select(i => digits[i % digits.Length].Features).ToArray();
float[] trainFlat = train.SelectMany(f => f).ToArray(), scoringFlat = scoring.SelectMany(f => f).ToArray();

var ml = new MLContext(seed: 1);
var trainData = Rows.Load(ml, train);
var scoringData = Rows.Load(ml, scoring);
Console.WriteLine($"AnomalyAE benchmark: {Environment.ProcessorCount} cores, {train.Length} training rows and {scoring.Length} scoring rows of 784 features, {settings.Epochs} epochs, batch 256.");
Console.WriteLine($"Each figure is the median of {settings.Repeats} runs; 'bare' is the same computation written directly against TorchSharp.");
Console.WriteLine();
Report.Header();

// Warm-up: JIT, libtorch initialization, allocator pools.
BareTorchLoop.TrainAutoencoder(trainFlat, 2048, 784, 1, 256, 1);
using (Measure.Fit(ml, trainData, variational: false, 1, 1).Model) { }

foreach (int threads in settings.Threads)
{
    foreach (bool variational in new[] { false, true })
    {
        string name = variational ? "VAE" : "AE";
        var oursTrain = Measure.Median(settings.Repeats, () => { var fit = Measure.Fit(ml, trainData, variational, settings.Epochs, threads); fit.Model.Dispose(); return fit.EpochRowsPerSecond; });
        var bareTrain = Measure.Median(settings.Repeats, () => (variational ? BareTorchLoop.TrainVae : (Func<float[], int, int, int, int, int, List<double>>)BareTorchLoop.TrainAutoencoder)(trainFlat, train.Length, 784, settings.Epochs, 256, threads).Skip(1).Average());
        Report.Row($"{name} training (rows/s)", threads, oursTrain, bareTrain, targetOverhead: 0.05);

        using var model = Measure.Fit(ml, trainData, variational, 1, threads).Model;
        var oursScore = Measure.Median(settings.Repeats, () => Measure.ScoreRows(model, scoringData));
        var bareScore = Measure.Median(settings.Repeats, () => (variational ? BareTorchLoop.ScoreVae : (Func<float[], int, int, int, int, double>)BareTorchLoop.ScoreAutoencoder)(scoringFlat, scoring.Length, 784, 1024, threads));
        Report.Row($"{name} batched scoring (rows/s)", threads, oursScore, bareScore, targetOverhead: 0.05);
        var oursAll = Measure.Median(settings.Repeats, () => Measure.ScoreRows(model, scoringData, allColumns: true));
        Console.WriteLine($"{"  every column read (rows/s)",-30} {threads,7} {oursAll,12:F0}   (latent, reconstruction and probability too)");
        if (variational) continue;
        var (p50, p99, bytes) = Measure.PredictionEngineLatency(ml, model, scoring, 3000);
        Console.WriteLine($"{"PredictionEngine latency",-30} {threads,7}   p50 {p50 * 1000:F1} µs, p99 {p99 * 1000:F1} µs, {bytes:F0} bytes allocated per row (single row, 784 features)");
    }
}

if (settings.SoakRows > 0)
{
    using var model = Measure.Fit(ml, trainData, variational: false, 1, settings.Threads.Max()).Model;
    string soakModel = Path.Combine(Path.GetTempPath(), $"anomalyae-soak-{Environment.ProcessId}.aeml");
    ml.Autoencoders().Save(model, trainData.Schema, soakModel);
    Console.WriteLine();
    try
    {
        Measure.RunSoakChild(soakModel, settings.SoakRows, scoring.Length);
    }
    finally
    {
        File.Delete(soakModel);
    }
}
Console.WriteLine();
Console.WriteLine($"Peak working set of this process: {Process.GetCurrentProcess().PeakWorkingSet64 / (1 << 20)} MiB.");
