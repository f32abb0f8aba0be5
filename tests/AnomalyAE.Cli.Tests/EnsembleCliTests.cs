namespace AnomalyAE.Cli.Tests;

/// <summary>The contaminated-data options of <c>anomalyae train</c>: an ensemble trains, saves, and scores through the CLI.</summary>
public sealed class EnsembleCliTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("anomalyae-cli-ensemble-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void AnEnsembleTrainsAndScoresThroughTheCli()
    {
        string data = CliRunner.ManifoldCsv(_folder, "train.csv", 400);
        string model = Path.Combine(_folder, "ensemble.aeml");
        var train = CliRunner.Run("train", "--data", data, "--out", model, "--ensemble", "3", "--subsample", "0.5", "--robust", "true",
            "--score", "both", "--epochs", "20", "--threads", "1");
        Assert.True(train.ExitCode == 0, train.Errors);
        Assert.Contains("Ensemble member 3/3", train.Errors);

        string scored = Path.Combine(_folder, "scored.csv");
        var score = CliRunner.Run("score", "--model", model, "--data", data, "--out", scored);
        Assert.True(score.ExitCode == 0, score.Errors);
        var lines = File.ReadAllLines(scored);
        var header = lines[0].Split(',');
        int scoreColumn = Array.IndexOf(header, "Score"), labelColumn = Array.IndexOf(header, "label");
        var topTen = lines.Skip(1).Select(l => l.Split(','))
            .OrderByDescending(r => double.Parse(r[scoreColumn], System.Globalization.CultureInfo.InvariantCulture)).Take(10);
        Assert.True(topTen.Count(r => r[labelColumn] == "1") >= 9, "planted outliers are not the highest-scored rows");
    }

    [Theory]
    [InlineData("--score", "nearest")]
    [InlineData("--ensemble", "0")]
    [InlineData("--subsample", "2")]
    public void BadEnsembleOptionsFailWithExitCode2AndNameTheOption(string option, string value)
    {
        string data = CliRunner.ManifoldCsv(_folder, "train.csv", 50);
        var train = CliRunner.Run("train", "--data", data, "--out", Path.Combine(_folder, "m.aeml"), option, value);
        Assert.Equal(2, train.ExitCode);
        Assert.Contains(option.TrimStart('-'), train.Errors, StringComparison.OrdinalIgnoreCase);
        Assert.False(File.Exists(Path.Combine(_folder, "m.aeml")));
    }
}
