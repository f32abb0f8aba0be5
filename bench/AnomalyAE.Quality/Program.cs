// Detection quality of the autoencoders against ML.NET's RandomizedPca, and the runs that chose the defaults.
//   --mode report     one-class ROC AUC per class, method and seed on every data set (bench/QUALITY.md's tables and plots)
//   --mode sweep      candidate default configurations on every data set (bench/QUALITY.md's sweep table)
//   --mode denoising  PSNR of noisy and denoised test digits at several noise levels
//   --mode reduction  latent features vs principal components as inputs to a multiclass classifier
// Data: Fashion-MNIST from Debian's dataset-fashion-mnist, the bundled MNIST digits, and scikit-learn's digits and
// breast-cancer tables from Debian's python3-sklearn (small tabular data).
// Usage: dotnet run --project bench/AnomalyAE.Quality -c Release -- [--mode report] [--datasets fashion,mnist,digits,breast-cancer]
//        [--seeds 1,2,3] [--classes 0-9] [--out DIR] [--threads N] [--parallel N (classes trained at once)]
//        [--methods "AE (defaults);RandomizedPca" (method names, ';'-separated)]
using System.Diagnostics;
using AnomalyAE.Quality;

var settings = QualitySettings.Parse(args);
Directory.CreateDirectory(settings.Output);
var clock = Stopwatch.StartNew();
string report = settings.Mode switch
{
    "denoising" => DenoisingExperiment.Run(Mnist(), settings.Threads, [0.1, 0.2, 0.3, 0.5]),
    "reduction" => ReductionExperiment.Run(Mnist(), settings.Seeds, [2, 8, 32], settings.Threads),
    _ => OneClass(settings.Select(settings.Mode == "sweep" ? MethodLists.Sweep : MethodLists.Report)),
};
string file = Path.Combine(settings.Output, settings.Mode + ".md");
File.WriteAllText(file, report + $"\nCommand: `dotnet run --project bench/AnomalyAE.Quality -c Release -- {string.Join(' ', args.Select(a => a.Any(c => c is ' ' or ';' or '(') ? $"\"{a}\"" : a))}`; {clock.Elapsed.TotalMinutes:F1} min on {Environment.ProcessorCount} cores.\n");
Console.WriteLine(report);
Console.WriteLine($"Done in {clock.Elapsed.TotalMinutes:F1} min; {Path.GetFullPath(file)}");

OneClassDataset Mnist() => OneClassDataset.Load("mnist", settings.Classes);

string OneClass(QualityMethod[] methods)
{
    var all = new List<ExperimentResults>();
    var pairwise = new List<string>();
    foreach (var name in settings.Datasets)
    {
        var dataset = OneClassDataset.Load(name, settings.Classes);
        Console.WriteLine($"{dataset.Description}; normal classes {string.Join(",", dataset.NormalClasses)}; seeds {string.Join(",", settings.Seeds)}");
        var results = new OneClassExperiment(dataset, methods, settings.Seeds, settings.Threads, settings.ParallelClasses).Run();
        Console.WriteLine(results.ToMarkdown());
        if (settings.Mode == "report")
        {
            results.SavePlots(settings.Output, ["AE (defaults)", "RandomizedPca"]);
            if (dataset.NormalClasses.Length > 1) pairwise.Add(results.PairwiseMarkdown("AE (defaults)", dataset.Test.Select(r => r.Class).ToArray()));
        }
        all.Add(results);
    }
    string summary = "### Mean one-class ROC AUC over classes\n\n" + ExperimentResults.Summary(all, methods);
    return summary + "\n" + string.Join("\n", all.Select(r => r.ToMarkdown()).Concat(pairwise));
}
