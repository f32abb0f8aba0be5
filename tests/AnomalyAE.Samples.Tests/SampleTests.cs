using System.Diagnostics;
using System.Text.Json;

namespace AnomalyAE.Samples.Tests;

/// <summary>The README's main job and the pipeline sample run and produce what they promise (few epochs to stay fast).</summary>
public sealed class SampleTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("anomalyae-samples-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private (int ExitCode, string Output) Run(string assembly, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, assembly), .. arguments])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = _folder,
        };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(5))) { process.Kill(true); throw new TimeoutException(assembly); }
        return (process.ExitCode, output.Result + errors.Result);
    }

    [Fact]
    public void MnistDemoWritesEveryPlotAndASummary()
    {
        var (exit, output) = Run("MnistDemo.dll", "--epochs", "12", "--threads", "2", "--out", _folder);
        Assert.True(exit == 0, output);
        foreach (var png in new[] { "1-autoencoder-loss.png", "1-autoencoder-reconstructions.png", "2-denoising.png", "3-vae-latent-plane.png", "3-vae-digit-manifold.png", "4-anomalies.png", "4-score-histogram.png" })
        {
            var bytes = File.ReadAllBytes(Path.Combine(_folder, png));
            Assert.True(bytes.Length > 10_000, $"{png}: {bytes.Length} bytes");
            Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], bytes[..4]);
        }
        using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(_folder, "summary.json")));
        var root = summary.RootElement;
        Assert.InRange(root.GetProperty("autoencoder").GetProperty("validationLoss").GetDouble(), 0.05, 0.3);
        Assert.True(root.GetProperty("denoising").GetProperty("psnrGain").GetDouble() > 0, output);
        Assert.True(root.GetProperty("anomalyDetection").GetProperty("rocAuc").GetDouble() > 0.9, output);
    }

    [Fact]
    public void PipelineSampleDetectsAnomaliesAndRoundTripsTheModel()
    {
        var (exit, output) = Run("PipelineSample.dll");
        Assert.True(exit == 0, output);
        Assert.Contains("Saved and reloaded", output);
        var auc = double.Parse(output.Split("ROC AUC ")[1].Split(',')[0], System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(auc > 0.95, output);
    }

    [Fact]
    public void TheReadmeExampleRunsAndFindsTheAnomalies()
    {
        var (exit, output) = Run("ReadmeExample.dll");
        Assert.True(exit == 0, output);
        var auc = double.Parse(output.Split("AUC ")[1].Split(',')[0], System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(auc > 0.95, output);
        Assert.True(File.Exists(Path.Combine(_folder, "model.aeml")));
    }
}
