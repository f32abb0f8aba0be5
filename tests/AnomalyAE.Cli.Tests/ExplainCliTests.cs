using System.Globalization;

namespace AnomalyAE.Cli.Tests;

/// <summary>anomalyae score --explain K: the features with the largest shares of each row's reconstruction error, by name.</summary>
public sealed class ExplainCliTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("anomalyae-cli-explain-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string PathOf(string name) => Path.Combine(_folder, name);

    [Fact]
    public void ExplainNamesTheFeaturePushedOffTheManifold()
    {
        string data = CliRunner.ManifoldCsv(_folder, "train.csv", 600);
        string model = PathOf("model.aeml");
        var train = CliRunner.Run("train", "--data", data, "--out", model, "--epochs", "40", "--latent", "2", "--hidden", "32", "--threads", "1", "--contamination", "auto");
        Assert.True(train.ExitCode == 0, train.Errors);
        Assert.Contains("MAD", train.Errors);

        // The normal rows with x5 moved outside tanh's range: far off the manifold, in that one feature only.
        var lines = File.ReadAllLines(data);
        var header = lines[0].Split(',');
        int x5 = Array.IndexOf(header, "x5"), label = Array.IndexOf(header, "label");
        var pushed = lines.Skip(1).Select(l => l.Split(',')).Where(c => c[label] == "0").Select(c =>
        {
            double value = double.Parse(c[x5], CultureInfo.InvariantCulture);
            c[x5] = (value > 0 ? value - 2 : value + 2).ToString("F5", CultureInfo.InvariantCulture);
            return string.Join(',', c);
        }).ToArray();
        string pushedPath = PathOf("pushed.csv");
        File.WriteAllLines(pushedPath, [lines[0], .. pushed]);

        string scored = PathOf("scored.csv");
        var score = CliRunner.Run("score", "--model", model, "--data", pushedPath, "--out", scored, "--explain", "2");
        Assert.True(score.ExitCode == 0, score.Errors);
        var output = File.ReadAllLines(scored);
        var columns = output[0].Split(',');
        Assert.Equal(["top1_feature", "top1_share", "top2_feature", "top2_share"], columns[^4..]);
        var rows = output.Skip(1).Select(l => l.Split(',')).ToArray();
        Assert.Equal(pushed.Length, rows.Length);
        int top = Array.IndexOf(columns, "top1_feature");
        int named = rows.Count(r => r[top] == "x5");
        Assert.True(named >= 0.9 * rows.Length, $"x5 was the top feature in {named} of {rows.Length} rows.");
        foreach (var row in rows)
        {
            double first = double.Parse(row[top + 1], CultureInfo.InvariantCulture), second = double.Parse(row[top + 3], CultureInfo.InvariantCulture);
            Assert.InRange(first, 0, 1);
            Assert.InRange(second, 0, first);
            Assert.StartsWith("x", row[top + 2]);
        }
    }

    [Fact]
    public void ExplainRejectsZeroAndBadContamination()
    {
        string data = CliRunner.ManifoldCsv(_folder, "train.csv", 100);
        var explain = CliRunner.Run("score", "--model", PathOf("none.aeml"), "--data", data, "--out", PathOf("s.csv"), "--explain", "0");
        Assert.NotEqual(0, explain.ExitCode);
        Assert.Contains("--explain", explain.Errors);
        var contamination = CliRunner.Run("train", "--data", data, "--out", PathOf("m.aeml"), "--contamination", "lots");
        Assert.NotEqual(0, contamination.ExitCode);
        Assert.Contains("--contamination", contamination.Errors);
    }
}
