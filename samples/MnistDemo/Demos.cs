using AnomalyAE.Datasets;
using AnomalyAE.DataViews;
using AnomalyAE.Visualization;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace AnomalyAE.Samples;

/// <summary>The four demonstrations; each trains, measures, draws and returns its numbers.</summary>
internal sealed class Demos(MLContext ml, ImageRow[] train, ImageRow[] test, DemoArguments arguments)
{
    private const int Pixels = 784;
    private readonly IDataView _train = Images.Load(ml, train);
    private readonly IDataView _test = Images.Load(ml, test);

    private string Out(string file) => Path.Combine(arguments.Output, file);

    /// <summary>The article's first model: 784 → 32 → 784, ReLU code, sigmoid output, binary cross-entropy, Adam, batch 256.</summary>
    public object UndercompleteAutoencoder()
    {
        Console.WriteLine($"\n1. Autoencoder 784 → 32 → 784 (ReLU, sigmoid, binary cross-entropy, Adam, batch 256, {arguments.Epochs} epochs)");
        using var model = ml.Autoencoders().Autoencoder(SeedArticleOptions()).Fit(_train);
        var last = model.TrainingHistory[^1];
        Console.WriteLine($"   final loss: training {last.TrainingLoss:F4}, validation {last.ValidationLoss:F4} (the article reports ≈ 0.09 after 50 epochs over 60,000 digits, " +
            $"i.e. {50 * 60000 / 256} steps; here {model.TrainingHistory.Count} epochs over {train.Length * 9 / 10} digits are {model.TrainingHistory.Count * (train.Length * 9 / 10 + 255) / 256} steps)");
        Charts.LossCurves(Out("1-autoencoder-loss.png"), model.TrainingHistory.Select(h => (h.Epoch, h.TrainingLoss, h.ValidationLoss)).ToArray(),
            "Autoencoder 784-32-784: binary cross-entropy per pixel", 0.09, "article ≈ 0.09");

        var firstTen = test[..10];
        var reconstructions = Images.Reconstruct(ml, model, firstTen);
        ImageGrid.Save(Out("1-autoencoder-reconstructions.png"), [.. firstTen.Select(r => r.Features), .. reconstructions], columns: 10,
            rowTitles: ["original", "decoded"], title: "Test digits (top) and their reconstructions (bottom)");
        return new { trainingLoss = last.TrainingLoss, validationLoss = last.ValidationLoss, articleLoss = 0.09, epochs = model.TrainingHistory.Count };
    }

    /// <summary>Gaussian noise on the inputs while training; reconstruct the clean digit.</summary>
    public object DenoisingAutoencoder()
    {
        const double noise = 0.3;
        Console.WriteLine($"\n2. Denoising autoencoder 784 → 256 → 64 → 256 → 784, Gaussian noise σ = {noise}");
        var options = SeedArticleOptions();
        options.HiddenLayers = [256];
        options.LatentDimension = 64;
        options.Noise = InputNoise.Gaussian;
        options.NoiseLevel = noise;
        options.Epochs = Math.Max(1, arguments.Epochs / 2);
        using var model = ml.Autoencoders().Autoencoder(options).Fit(_train);

        var random = new Random(7);
        var noisy = test.Select(r => new ImageRow { Class = r.Class, Features = r.Features.Select(v => (float)(v + noise * Gaussian(random))).ToArray() }).ToArray();
        var denoised = Images.Reconstruct(ml, model, noisy);
        double psnrNoisy = test.Select((r, i) => Psnr(Clip(noisy[i].Features), r.Features)).Average();
        double psnrDenoised = test.Select((r, i) => Psnr(denoised[i], r.Features)).Average();
        Console.WriteLine($"   PSNR on {test.Length} test digits: noisy {psnrNoisy:F2} dB → denoised {psnrDenoised:F2} dB (gain {psnrDenoised - psnrNoisy:+0.00;-0.00} dB)");
        ImageGrid.Save(Out("2-denoising.png"), [.. noisy[..10].Select(r => Clip(r.Features)), .. denoised[..10], .. test[..10].Select(r => r.Features)], columns: 10,
            rowTitles: ["noisy", "denoised", "clean"], title: $"Denoising: σ = {noise} Gaussian noise, PSNR gain {psnrDenoised - psnrNoisy:F1} dB");
        return new { noise, psnrNoisy, psnrDenoised, psnrGain = psnrDenoised - psnrNoisy };
    }

    /// <summary>The article's VAE: 784 → 64 → (μ, log σ²) ∈ R², decoder 2 → 64 → 784.</summary>
    public object VariationalAutoencoder()
    {
        Console.WriteLine($"\n3. Variational autoencoder 784 → 64 → 2-D latent → 64 → 784 ({arguments.Epochs} epochs)");
        var options = new VariationalAutoencoderOptions
        {
            HiddenLayers = [64], LatentDimension = 2, OutputActivation = AutoencoderActivation.Sigmoid, Loss = ReconstructionLoss.BinaryCrossEntropy,
            Epochs = arguments.Epochs, BatchSize = 128, LearningRate = 1e-3, Seed = 1, NumberOfThreads = arguments.Threads,
        };
        using var model = ml.Autoencoders().VariationalAutoencoder(options).Fit(_train);
        var last = model.TrainingHistory[^1];
        Console.WriteLine($"   final negative ELBO per digit: training {last.TrainingLoss:F1}, validation {last.ValidationLoss:F1}");

        var means = model.Transform(_test).ReadVectors("LatentFeatures");
        Charts.LatentScatter(Out("3-vae-latent-plane.png"), means, test.Select(r => r.Class).ToArray(), "Test digits on the VAE's 2-D latent plane (posterior means)");

        // As in the article: a 15×15 grid of latent points at the N(0, 1) quantiles 0.05 … 0.95, decoded.
        var quantiles = Enumerable.Range(0, 15).Select(i => (float)NormalQuantile(0.05 + 0.9 * i / 14)).ToArray();
        var grid = quantiles.Reverse().SelectMany(y => quantiles.Select(x => new[] { x, y })).ToArray();
        ImageGrid.Save(Out("3-vae-digit-manifold.png"), model.Decode(grid), columns: 15, scale: 2, title: "Digit manifold decoded from a 15×15 latent grid");
        return new { trainingNegativeElbo = last.TrainingLoss, validationNegativeElbo = last.ValidationLoss };
    }

    /// <summary>Trained on one digit only; every other digit of the test set should score higher.</summary>
    public object AnomalyDetection()
    {
        const int normalDigit = 0;
        Console.WriteLine($"\n4. Anomaly detection: trained on digit {normalDigit} only, every other test digit is an anomaly");
        var normal = Images.Load(ml, train.Where(r => r.Class == normalDigit).ToArray());
        var options = SeedArticleOptions();
        options.Contamination = 0.05;
        using var model = ml.Autoencoders().Autoencoder(options).Fit(normal);

        var labelled = ml.Data.LoadFromEnumerable(test.Select(r => new LabelledImage { Features = r.Features, Label = r.Class == normalDigit ? 0f : 1f }), Images.Schema<LabelledImage>());
        var scored = model.Transform(labelled);
        var metrics = ml.AnomalyDetection.Evaluate(scored, falsePositiveCount: 10);
        Console.WriteLine($"   ROC AUC {metrics.AreaUnderRocCurve:F4}; detection rate at 10 false positives {metrics.DetectionRateAtFalsePositiveCount:P1}");

        var scores = scored.GetColumn<float>("Score").ToArray();
        var order = Enumerable.Range(0, scores.Length).OrderByDescending(i => scores[i]).ToArray();
        var shown = order.Take(10).Concat(order.TakeLast(10)).ToArray();
        ImageGrid.Save(Out("4-anomalies.png"), shown.Select(i => test[i].Features).ToArray(), columns: 10,
            captions: shown.Select(i => $"{scores[i]:F3}").ToArray(), rowTitles: ["most", "least"],
            title: $"Trained on {normalDigit}s: most (top) and least (bottom) anomalous test digits, with scores");
        Charts.ScoreHistogram(Out("4-score-histogram.png"), scores, model.Threshold, test.Select(r => r.Class != normalDigit).ToArray(),
            $"Scores of test digits (normal = {normalDigit}); ROC AUC {metrics.AreaUnderRocCurve:F3}");
        return new { normalDigit, rocAuc = metrics.AreaUnderRocCurve, detectionRateAt10FalsePositives = metrics.DetectionRateAtFalsePositiveCount, threshold = model.Threshold };
    }

    private AutoencoderOptions SeedArticleOptions() => new()
    {
        HiddenLayers = [], LatentDimension = 32, LatentActivation = AutoencoderActivation.ReLU,
        OutputActivation = AutoencoderActivation.Sigmoid, Loss = ReconstructionLoss.BinaryCrossEntropy, ErrorMetric = ReconstructionErrorMetric.MeanSquaredError,
        Optimizer = AutoencoderOptimizer.Adam, Epochs = arguments.Epochs, BatchSize = 256, LearningRate = 1e-3, Seed = 1, NumberOfThreads = arguments.Threads,
        // The article's single network scored by reconstruction error (the library's default is an ensemble).
        EnsembleSize = 1, ScoreKind = AutoencoderScoreKind.ReconstructionError,
    };

    private static float[] Clip(float[] image) => image.Select(v => Math.Clamp(v, 0f, 1f)).ToArray();

    private static double Psnr(float[] image, float[] reference)
    {
        double mse = image.Zip(reference, (a, b) => (double)(Math.Clamp(a, 0f, 1f) - b) * (Math.Clamp(a, 0f, 1f) - b)).Average();
        return 10 * Math.Log10(1 / Math.Max(mse, 1e-12));
    }

    private static double Gaussian(Random random) => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    /// <summary>Inverse of the standard normal CDF (Acklam's rational approximation, relative error below 1.2e-9).</summary>
    private static double NormalQuantile(double p)
    {
        double[] a = [-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02, 1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00];
        double[] b = [-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02, 6.680131188771972e+01, -1.328068155288572e+01];
        double[] c = [-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00, -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00];
        double[] d = [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00];
        if (p < 0.02425)
        {
            double q = Math.Sqrt(-2 * Math.Log(p));
            return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
        }
        if (p > 1 - 0.02425) return -NormalQuantile(1 - p);
        double r = p - 0.5, s = r * r;
        return (((((a[0] * s + a[1]) * s + a[2]) * s + a[3]) * s + a[4]) * s + a[5]) * r / (((((b[0] * s + b[1]) * s + b[2]) * s + b[3]) * s + b[4]) * s + 1);
    }

    private sealed class LabelledImage
    {
        public float[] Features { get; set; } = [];
        public float Label { get; set; }
    }
}
