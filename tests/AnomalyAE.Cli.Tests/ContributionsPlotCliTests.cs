using System.Globalization;

namespace AnomalyAE.Cli.Tests;

/// <summary>anomalyae plot --contributions ROW draws one row's feature shares; anomalyae score writes the Probability column.</summary>
public sealed class ContributionsPlotCliTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("anomalyae-cli-contributions-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string PathOf(string name) => Path.Combine(_folder, name);

    private string Train(string data)
    {
        string model = PathOf("model.aeml");
        var train = CliRunner.Run("train", "--data", data, "--out", model, "--epochs", "10", "--latent", "2", "--hidden", "32", "--threads", "1");
        Assert.True(train.ExitCode == 0, train.Errors);
        return model;
    }

    [Fact]
    public void PlotDrawsTheContributionsOfOneRowAndRejectsARowOutOfRange()
    {
        string data = CliRunner.ManifoldCsv(_folder, "train.csv", 200);
        string model = Train(data);
        string plots = PathOf("plots");

        var plot = CliRunner.Run("plot", "--model", model, "--data", data, "--out", plots, "--contributions", "3", "--top", "5");
        Assert.True(plot.ExitCode == 0, plot.Errors);
        var bytes = File.ReadAllBytes(Path.Combine(plots, "contributions-row3.png"));
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], bytes[..4]);
        Assert.True(bytes.Length > 5000, $"contributions-row3.png has only {bytes.Length} bytes");
        // A chart of another row differs: the bars are that row's shares, not a fixed picture.
        var other = CliRunner.Run("plot", "--model", model, "--data", data, "--out", plots, "--contributions", "0", "--top", "5");
        Assert.True(other.ExitCode == 0, other.Errors);
        Assert.NotEqual(bytes, File.ReadAllBytes(Path.Combine(plots, "contributions-row0.png")));

        var outOfRange = CliRunner.Run("plot", "--model", model, "--data", data, "--out", plots, "--contributions", "200");
        Assert.NotEqual(0, outOfRange.ExitCode);
        Assert.Contains("--contributions 200", outOfRange.Errors);
        Assert.Contains("0 to 199", outOfRange.Errors);
        var negative = CliRunner.Run("plot", "--model", model, "--data", data, "--out", plots, "--contributions", "-1");
        Assert.NotEqual(0, negative.ExitCode);
        Assert.Contains("--contributions", negative.Errors);
    }

    [Fact]
    public void ScoreWritesAProbabilityOrderedLikeTheScore()
    {
        string data = CliRunner.ManifoldCsv(_folder, "train.csv", 200);
        string model = Train(data);
        string scored = PathOf("scored.csv");
        var score = CliRunner.Run("score", "--model", model, "--data", data, "--out", scored);
        Assert.True(score.ExitCode == 0, score.Errors);
        var lines = File.ReadAllLines(scored);
        var header = lines[0].Split(',');
        int scoreColumn = Array.IndexOf(header, "Score"), probabilityColumn = Array.IndexOf(header, "Probability");
        Assert.True(probabilityColumn > scoreColumn, string.Join(',', header));
        var rows = lines.Skip(1).Select(l => l.Split(',')).Select(c => (Score: double.Parse(c[scoreColumn], CultureInfo.InvariantCulture),
            Probability: double.Parse(c[probabilityColumn], CultureInfo.InvariantCulture))).OrderBy(r => r.Score).ToArray();
        Assert.Equal(200, rows.Length);
        Assert.All(rows, r => Assert.InRange(r.Probability, 0, 1));
        for (int i = 1; i < rows.Length; i++) Assert.True(rows[i].Probability >= rows[i - 1].Probability, $"row {i}: {rows[i]} after {rows[i - 1]}");
    }
}
