// One-class detection quality: for each class, train on that class's training images only, score every test image,
// ROC AUC with that class as normal (ML.NET's evaluator). Methods in the same run: autoencoder, denoising, sparse,
// VAE (each score kind) and ML.NET's RandomizedPca. Datasets: the full Fashion-MNIST of Debian's
// dataset-fashion-mnist and the bundled MNIST digits (train split 8,000 / test split 2,000).
// Usage: dotnet run --project bench/AnomalyAE.Quality -c Release [-- --datasets fashion,mnist] [--seeds 1,2,3] [--classes 0-9] [--out DIR]
//        dotnet run --project bench/AnomalyAE.Quality -c Release -- --denoising true [--out DIR]   (PSNR at several noise levels)
using System.Diagnostics;
using AnomalyAE.Datasets;
using AnomalyAE.Quality;

var settings = QualitySettings.Parse(args);
Directory.CreateDirectory(settings.Output);
var clock = Stopwatch.StartNew();
var report = new List<string>();
if (settings.Denoising)
{
    var digits = ImageDataset.ReadPair(Path.Combine(AppContext.BaseDirectory, "data"), "mnist");
    report.Add(DenoisingExperiment.Run(digits[..8000], digits[8000..], settings.Threads, [0.1, 0.2, 0.3, 0.5]));
    File.WriteAllText(Path.Combine(settings.Output, "denoising.md"), report[^1]);
    Console.WriteLine(report[^1]);
    return;
}
foreach (var name in settings.Datasets)
{
    var (train, test) = name switch
    {
        "fashion" => (ImageDataset.ReadPair("/usr/share/datasets/fashion-mnist", "train"), ImageDataset.ReadPair("/usr/share/datasets/fashion-mnist", "t10k")),
        "mnist" => Split(ImageDataset.ReadPair(Path.Combine(AppContext.BaseDirectory, "data"), "mnist")),
        _ => throw new ArgumentException($"Unknown dataset {name}; use fashion or mnist."),
    };
    Console.WriteLine($"{name}: {train.Length} training and {test.Length} test images; classes {string.Join(",", settings.Classes)}; seeds {string.Join(",", settings.Seeds)}");
    var results = new OneClassExperiment(train, test, settings).Run(name);
    report.Add(results.ToMarkdown(name));
    results.SavePlots(name, settings.Output);
    Console.WriteLine(results.ToMarkdown(name));
}
File.WriteAllText(Path.Combine(settings.Output, "results.md"), string.Join("\n", report) + $"\nTotal time: {clock.Elapsed.TotalMinutes:F1} min.\n");
Console.WriteLine($"Done in {clock.Elapsed.TotalMinutes:F1} min; {Path.GetFullPath(settings.Output)}");

static (ImageRow[] Train, ImageRow[] Test) Split(ImageRow[] all) => (all[..8000], all[8000..]);
