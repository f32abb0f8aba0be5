using System.Globalization;
using System.Text;

namespace AnomalyAE.Cli.Tests;

/// <summary>train and score read a CSV file through a streaming view (one pass at a time, never the whole file).</summary>
public sealed class StreamingCliTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("anomalyae-cli-stream-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string PathOf(string name) => Path.Combine(_folder, name);

    private string Train(string data, params string[] extra)
    {
        string model = PathOf("model.aeml");
        var result = CliRunner.Run(["train", "--data", data, "--out", model, "--epochs", "20", "--latent", "2", "--hidden", "32", "--threads", "1", "--ensemble", "1", .. extra]);
        Assert.True(result.ExitCode == 0, result.Errors);
        return model;
    }

    private static double[] Scores(string[] lines)
    {
        int score = Array.IndexOf(lines[0].Split(','), "Score");
        return [.. lines.Skip(1).Select(l => double.Parse(l.Split(',')[score], CultureInfo.InvariantCulture))];
    }

    [Fact]
    public void StreamedTrainingFromAFileScoresLikeInMemoryTraining()
    {
        string data = CliRunner.ManifoldCsv(_folder, "train.csv", 3000);
        // A zero memory budget streams the file from disk every epoch.
        string streamedModel = Train(data, "--memory-budget", "0", "--shuffle-buffer", "500");
        string scored = PathOf("scored.csv");
        var score = CliRunner.Run("score", "--model", streamedModel, "--data", data, "--out", scored);
        Assert.True(score.ExitCode == 0, score.Errors);

        var input = File.ReadAllLines(data);
        var lines = File.ReadAllLines(scored);
        Assert.Equal(input.Length, lines.Length);
        // Every input cell is repeated as read, in order, before the model's columns.
        for (int i = 0; i < lines.Length; i += 499) Assert.StartsWith(input[i] + ",", lines[i]);
        // Every 25th row is an outlier: they take the top scores.
        var scores = Scores(lines);
        var top = Enumerable.Range(0, scores.Length).OrderByDescending(i => scores[i]).Take(scores.Length / 25).ToArray();
        Assert.True(top.Count(i => i % 25 == 0) >= 0.9 * top.Length, $"{top.Count(i => i % 25 == 0)} of the top {top.Length} are outliers");
    }

    [Fact]
    public void ScoringStreamsStandardInputOnce()
    {
        string data = CliRunner.ManifoldCsv(_folder, "train.csv", 400);
        string model = Train(data);
        var result = CliRunner.RunWithInput(File.ReadAllBytes(data), "score", "--model", model, "--data", "-", "--out", "-");
        Assert.True(result.ExitCode == 0, result.Errors);
        Assert.Equal(401, result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }

    [Fact]
    public void ABadCellFarIntoTheFileFailsWithItsLineAndLeavesNoOutput()
    {
        string data = CliRunner.ManifoldCsv(_folder, "train.csv", 400);
        string model = Train(data);
        var lines = File.ReadAllLines(data);
        lines[350] = string.Join(',', lines[350].Split(',').Select((cell, i) => i == 3 ? "oops" : cell));
        string bad = PathOf("bad.csv");
        File.WriteAllLines(bad, lines, new UTF8Encoding(false));
        string scored = PathOf("scored.csv");

        var score = CliRunner.Run("score", "--model", model, "--data", bad, "--out", scored);
        Assert.Equal(2, score.ExitCode);
        Assert.Contains($"{bad}: line 351, column 'x2': 'oops' is not a finite number", score.Errors);
        Assert.False(File.Exists(scored));
        Assert.Empty(Directory.GetFiles(_folder, "*.tmp"));

        var train = CliRunner.Run("train", "--data", bad, "--out", PathOf("never.aeml"), "--epochs", "2", "--memory-budget", "0");
        Assert.Equal(2, train.ExitCode);
        Assert.Contains("line 351, column 'x2': 'oops' is not a finite number", train.Errors);
        Assert.False(File.Exists(PathOf("never.aeml")));
    }
}
