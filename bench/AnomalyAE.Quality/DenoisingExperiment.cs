using AnomalyAE.DataViews;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace AnomalyAE.Quality;

/// <summary>PSNR of noisy and denoised test digits at several Gaussian noise levels (a denoising AE per level).</summary>
internal static class DenoisingExperiment
{
    public static string Run(OneClassDataset digits, int threads, double[] levels)
    {
        var (train, test) = (digits.Train, digits.Test);
        var ml = new MLContext(seed: 1);
        var text = new System.Text.StringBuilder("### Denoising: PSNR of test digits (σ = Gaussian noise on [0, 1] pixels)\n\n| σ | noisy | denoised | gain |\n|---:|---:|---:|---:|\n");
        foreach (double sigma in levels)
        {
            var options = new AutoencoderOptions
            {
                HiddenLayers = [256], LatentDimension = 64, OutputActivation = AutoencoderActivation.Sigmoid, Loss = ReconstructionLoss.BinaryCrossEntropy,
                Noise = InputNoise.Gaussian, NoiseLevel = sigma, Epochs = 25, Seed = 1, NumberOfThreads = threads, EnsembleSize = 1,
            };
            using var model = ml.Autoencoders().Autoencoder(options).Fit(Load(ml, train.Select(r => r.Features)));
            var random = new Random(7);
            var noisy = test.Select(r => r.Features.Select(v => (float)(v + sigma * Gaussian(random))).ToArray()).ToArray();
            var denoised = model.Transform(Load(ml, noisy)).ReadVectors("Reconstruction");
            double before = test.Select((r, i) => Psnr(noisy[i], r.Features)).Average();
            double after = test.Select((r, i) => Psnr(denoised[i], r.Features)).Average();
            text.Append($"| {sigma} | {before:F2} dB | {after:F2} dB | {after - before:+0.00;-0.00} dB |\n");
            Console.WriteLine($"  σ {sigma}: PSNR {before:F2} → {after:F2} dB");
        }
        return text.ToString();
    }

    private static IDataView Load(MLContext ml, IEnumerable<float[]> rows)
    {
        var array = rows.ToArray();
        return new ColumnarDataView.Builder().AddVector("Features", 784, array).Build();
    }

    /// <summary>PSNR against a clean image, both clipped to [0, 1] (peak 1).</summary>
    private static double Psnr(float[] image, float[] reference) =>
        10 * Math.Log10(1 / Math.Max(image.Zip(reference, (a, b) => Math.Pow(Math.Clamp(a, 0f, 1f) - b, 2)).Average(), 1e-12));

    private static double Gaussian(Random random) => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
