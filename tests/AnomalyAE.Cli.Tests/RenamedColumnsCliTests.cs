using System.Globalization;
using System.Text.Json;
using AnomalyAE.DataViews;
using Microsoft.ML;

namespace AnomalyAE.Cli.Tests;

/// <summary>score, evaluate and plot read the model's own column names, not the defaults.</summary>
public sealed class RenamedColumnsCliTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("anomalyae-cli-renamed-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    /// <summary>A model shaped like `anomalyae train` makes, but whose feature and output columns all have other names.</summary>
    private string TrainRenamedModel(string csvPath)
    {
        var lines = File.ReadAllLines(csvPath);
        var header = lines[0].Split(',');
        var rows = lines.Skip(1).Select(l => l.Split(',')).ToArray();
        var features = header.Where(h => h.StartsWith('x')).ToArray();
        var builder = new ColumnarDataView.Builder();
        foreach (var feature in features)
        {
            int column = Array.IndexOf(header, feature);
            builder.AddSingle(feature, rows.Select(r => float.Parse(r[column], CultureInfo.InvariantCulture)).ToArray());
        }
        builder.AddSingle("label", rows.Select(r => float.Parse(r[^1], CultureInfo.InvariantCulture)).ToArray());
        builder.AddText("id", rows.Select(r => r[0]).ToArray());
        var data = builder.Build();

        var ml = new MLContext(seed: 1);
        var pipeline = ml.Transforms.Concatenate("Inputs", features)
            .Append(ml.Transforms.NormalizeMeanVariance("Inputs"))
            .Append(ml.Autoencoders().Autoencoder(new AutoencoderOptions
            {
                FeatureColumnName = "Inputs", ScoreColumnName = "AnomalyScore", PredictedLabelColumnName = "IsAnomaly",
                LatentFeaturesColumnName = "Code", ReconstructionColumnName = "Decoded",
                HiddenLayers = [32], LatentDimension = 2, Epochs = 40, EnsembleSize = 1, ScoreKind = AutoencoderScoreKind.ReconstructionError,
                Seed = 1, NumberOfThreads = 1, Contamination = 0.05,
            }));
        string path = Path.Combine(_folder, "renamed.aeml");
        using var model = pipeline.Fit(data);
        ml.Autoencoders().Save(model, data.Schema, path);
        return path;
    }

    [Fact]
    public void ScoreEvaluateAndPlotUseTheModelsColumnNames()
    {
        string data = CliRunner.ManifoldCsv(_folder, "train.csv", 600);
        string model = TrainRenamedModel(data);

        string scored = Path.Combine(_folder, "scored.csv");
        var score = CliRunner.Run("score", "--model", model, "--data", data, "--out", scored, "--latent", "--reconstruction");
        Assert.True(score.ExitCode == 0, score.Errors);
        var lines = File.ReadAllLines(scored);
        var header = lines[0].Split(',');
        Assert.Contains("AnomalyScore", header);
        Assert.Contains("IsAnomaly", header);
        Assert.DoesNotContain("Score", header);
        Assert.Contains("latent_1", header);
        Assert.Contains("reconstruction_x7", header);
        int scoreColumn = Array.IndexOf(header, "AnomalyScore"), labelColumn = Array.IndexOf(header, "label");
        var topTen = lines.Skip(1).Select(l => l.Split(',')).OrderByDescending(r => double.Parse(r[scoreColumn], CultureInfo.InvariantCulture)).Take(10);
        Assert.True(topTen.Count(r => r[labelColumn] == "1") >= 9, "planted outliers are not the highest-scored rows");

        var evaluate = CliRunner.Run("evaluate", "--model", model, "--data", data, "--json");
        Assert.True(evaluate.ExitCode == 0, evaluate.Errors);
        using var metrics = JsonDocument.Parse(evaluate.Output);
        Assert.True(metrics.RootElement.GetProperty("RocAuc").GetDouble() > 0.95, evaluate.Output);

        string plots = Path.Combine(_folder, "plots");
        var plot = CliRunner.Run("plot", "--model", model, "--data", data, "--out", plots);
        Assert.True(plot.ExitCode == 0, plot.Errors);
        Assert.True(File.Exists(Path.Combine(plots, "latent.png")), plot.Errors);
    }
}
