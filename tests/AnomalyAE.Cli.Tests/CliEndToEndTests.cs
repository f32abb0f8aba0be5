using System.Text.Json;

namespace AnomalyAE.Cli.Tests;

/// <summary>train → score → evaluate → plot on small CSV files, and every kind of bad file.</summary>
public sealed class CliEndToEndTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("anomalyae-cli-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string PathOf(string name) => Path.Combine(_folder, name);

    private string TrainModel(string data, params string[] extra)
    {
        string model = PathOf("model.aeml");
        // One network (the autoencoder's default is an ensemble, whose members split the epochs): these tests are about the CLI.
        string[] single = extra.Contains("vae") ? [] : ["--ensemble", "1"];
        var result = CliRunner.Run(["train", "--data", data, "--out", model, "--epochs", "40", "--latent", "2", "--hidden", "32", "--threads", "1", .. single, .. extra]);
        Assert.True(result.ExitCode == 0, result.Errors);
        Assert.Contains("Epoch 40/40", result.Errors);
        return model;
    }

    [Fact]
    public void TrainScoreEvaluatePlot()
    {
        string data = CliRunner.ManifoldCsv(_folder, "train.csv", 600);
        string model = TrainModel(data);

        string scored = PathOf("scored.csv");
        var score = CliRunner.Run("score", "--model", model, "--data", data, "--out", scored, "--latent", "--reconstruction");
        Assert.True(score.ExitCode == 0, score.Errors);
        var lines = File.ReadAllLines(scored);
        Assert.Equal(601, lines.Length);
        var header = lines[0].Split(',');
        Assert.Equal(["id", "x0"], header[..2]);
        Assert.Contains("Score", header);
        Assert.Contains("latent_1", header);
        Assert.Contains("reconstruction_x7", header);
        Assert.StartsWith("row0,", lines[1]);
        int scoreColumn = Array.IndexOf(header, "Score"), labelColumn = Array.IndexOf(header, "label");
        var rows = lines.Skip(1).Select(l => l.Split(',')).ToArray();
        var topTen = rows.OrderByDescending(r => double.Parse(r[scoreColumn], System.Globalization.CultureInfo.InvariantCulture)).Take(10);
        Assert.True(topTen.Count(r => r[labelColumn] == "1") >= 9, "planted outliers are not the highest-scored rows");

        var evaluate = CliRunner.Run("evaluate", "--model", model, "--data", data, "--json");
        Assert.True(evaluate.ExitCode == 0, evaluate.Errors);
        using var metrics = JsonDocument.Parse(evaluate.Output);
        Assert.True(metrics.RootElement.GetProperty("RocAuc").GetDouble() > 0.95, evaluate.Output);
        Assert.Equal(600, metrics.RootElement.GetProperty("Rows").GetInt32());
        Assert.Equal(24, metrics.RootElement.GetProperty("Anomalies").GetInt32());

        string plots = PathOf("plots");
        var plot = CliRunner.Run("plot", "--model", model, "--data", data, "--out", plots);
        Assert.True(plot.ExitCode == 0, plot.Errors);
        foreach (var png in new[] { "scores.png", "latent.png" })
        {
            var bytes = File.ReadAllBytes(Path.Combine(plots, png));
            Assert.True(bytes.Length > 5000, $"{png} is suspiciously small");
            Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], bytes[..4]);
        }
    }

    [Fact]
    public void VaeAndDenoisingVariantsTrainAndScore()
    {
        string data = CliRunner.ManifoldCsv(_folder, "train.csv", 300);
        foreach (var variant in new[] { new[] { "--model", "vae" }, new[] { "--noise", "gaussian:0.1", "--normalize", "minmax" } })
        {
            string model = TrainModel(data, variant);
            var evaluate = CliRunner.Run("evaluate", "--model", model, "--data", data, "--json");
            Assert.True(evaluate.ExitCode == 0, evaluate.Errors);
            using var metrics = JsonDocument.Parse(evaluate.Output);
            Assert.True(metrics.RootElement.GetProperty("RocAuc").GetDouble() > 0.9, string.Join(' ', variant) + evaluate.Output);
        }
    }

    public static TheoryData<string, string, string> BadFiles => new()
    {
        { "empty", "", "the file is empty" },
        { "header-only", "id,x0,x1\n", "no data rows" },
        { "ragged", "x0,x1,x2\n1,2,3\n4,5\n", "line 3 has 2 cells but the header has 3 columns" },
        { "non-numeric", "x0,x1,x2\n1,2,3\n4,oops,6\n", "line 3, column 'x1': 'oops' is not a finite number" },
        { "nan", "x0,x1,x2\n1,2,3\n4,NaN,6\n", "line 3, column 'x1': 'NaN' is not a finite number" },
        { "duplicate-header", "x0,x0\n1,2\n", "column 'x0' appears more than once" },
    };

    [Theory]
    [MemberData(nameof(BadFiles))]
    public void BadTrainingFilesFailWithOneClearLineAndWriteNothing(string name, string content, string expected)
    {
        string data = PathOf($"{name}.csv");
        File.WriteAllText(data, content);
        string model = PathOf("never.aeml");
        var result = CliRunner.Run("train", "--data", data, "--out", model, "--epochs", "2");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains(data, result.Errors);
        Assert.Contains(expected, result.Errors);
        Assert.DoesNotContain("   at ", result.Errors);
        Assert.False(File.Exists(model));
    }

    [Fact]
    public void ScoringAFileWithoutAModelFeatureNamesTheColumnAndWritesNothing()
    {
        string model = TrainModel(CliRunner.ManifoldCsv(_folder, "train.csv", 200));
        string data = PathOf("missing.csv");
        File.WriteAllLines(data, ["x0,x1,x2,x3,x4,x5,x6", "1,2,3,4,5,6,7"]);
        string output = PathOf("out.csv");
        var result = CliRunner.Run("score", "--model", model, "--data", data, "--out", output);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("column 'x7'", result.Errors);
        Assert.False(File.Exists(output));
        Assert.Empty(Directory.GetFiles(_folder, "*.tmp"));
    }

    [Fact]
    public void MissingOrDamagedModelFilesAreReportedNotCrashed()
    {
        string data = CliRunner.ManifoldCsv(_folder, "train.csv", 50);
        var missing = CliRunner.Run("score", "--model", PathOf("nope.aeml"), "--data", data, "--out", PathOf("o.csv"));
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("model file not found", missing.Errors);

        File.WriteAllText(PathOf("junk.aeml"), "not a model");
        var junk = CliRunner.Run("evaluate", "--model", PathOf("junk.aeml"), "--data", data);
        Assert.Equal(2, junk.ExitCode);
        Assert.Contains("not an AnomalyAE model", junk.Errors);
    }

    [Fact]
    public void BadOptionsAreRejectedWithTheirName()
    {
        string data = CliRunner.ManifoldCsv(_folder, "train.csv", 50);
        var model = CliRunner.Run("train", "--data", data, "--out", PathOf("m.aeml"), "--model", "gan");
        Assert.NotEqual(0, model.ExitCode);
        Assert.Contains("--model", model.Output + model.Errors);

        var latent = CliRunner.Run("train", "--data", data, "--out", PathOf("m.aeml"), "--latent", "0");
        Assert.Equal(2, latent.ExitCode);
        Assert.Contains("LatentDimension", latent.Errors);
    }
}
