using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace AnomalyAE.Samples.Tests;

/// <summary>The README's main job and the samples run and produce what they promise (few epochs to stay fast).</summary>
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

    [Fact]
    public void TimeSeriesSampleScoresEveryReadingOnlineAndRanksNabsLabelledWindowsHigher()
    {
        string output = Path.Combine(_folder, "timeseries");
        var (exit, printed) = Run("TimeSeries.dll", output, "--epochs", "20");
        Assert.True(exit == 0, printed);
        var png = File.ReadAllBytes(Path.Combine(output, "series.png"));
        Assert.True(png.Length > 10_000, $"series.png: {png.Length} bytes");
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], png[..4]);

        var input = File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "data", "nab", "machine_temperature_system_failure.csv"))[1..];
        var lines = File.ReadAllLines(Path.Combine(output, "scores.csv"));
        Assert.Equal("timestamp,value,score,predicted_label", lines[0]);
        var rows = lines[1..].Select(l => l.Split(',')).ToArray();
        Assert.Equal(input, rows.Select(r => $"{r[0]},{r[1]}"));   // one row per reading, in file order (the repeated hour too)
        float[] scores = [.. rows.Select(r => float.Parse(r[2], CultureInfo.InvariantCulture))];
        Assert.All(scores[..63], s => Assert.True(float.IsNaN(s)));
        Assert.All(scores[63..], s => Assert.True(float.IsFinite(s)));

        // NAB's labelled windows (both ends included); the score after the training part (the first 15 %) ranks the rows in
        // them above the rest. Measured with these settings: 0.777 (seeds 1–6: 0.709–0.790; chance is 0.5).
        (string Start, string End)[] windows = [("2013-12-10 06:25:00", "2013-12-12 05:35:00"), ("2013-12-15 17:50:00", "2013-12-17 17:00:00"),
            ("2014-01-27 14:20:00", "2014-01-29 13:30:00"), ("2014-02-07 14:55:00", "2014-02-09 14:05:00")];
        int trainRows = (int)(0.15 * rows.Length);
        var after = Enumerable.Range(trainRows, rows.Length - trainRows).ToArray();
        bool[] positive = [.. after.Select(i => windows.Any(w => string.CompareOrdinal(rows[i][0], w.Start) >= 0 && string.CompareOrdinal(rows[i][0], w.End) <= 0))];
        float[] afterScores = [.. after.Select(i => scores[i])];
        long above = 0, ties = 0;
        var normal = afterScores.Where((_, k) => !positive[k]).Order().ToArray();
        foreach (var s in afterScores.Where((_, k) => positive[k]))
        {
            int below = LowerBound(normal, s), notAbove = UpperBound(normal, s);
            above += below;
            ties += notAbove - below;
        }
        double auc = (above + ties / 2.0) / ((double)positive.Count(p => p) * normal.Length);
        Assert.True(auc > 0.65, $"ROC AUC {auc:F3}\n{printed}");
        Assert.Contains($"{auc:F3} after the training part", printed);   // the sample's own computation agrees
    }

    private static int LowerBound(float[] sorted, float value)
    {
        int low = 0, high = sorted.Length;
        while (low < high) { int mid = (low + high) / 2; if (sorted[mid] < value) low = mid + 1; else high = mid; }
        return low;
    }

    private static int UpperBound(float[] sorted, float value)
    {
        int low = 0, high = sorted.Length;
        while (low < high) { int mid = (low + high) / 2; if (sorted[mid] <= value) low = mid + 1; else high = mid; }
        return low;
    }
}
