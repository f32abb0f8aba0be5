using System.Globalization;
using System.Text;
using System.Text.Json;

namespace AnomalyAE.Cli.Tests;

/// <summary>
/// train --window: a sequence autoencoder from a CSV of time steps (a series column, an order column, two channels), then
/// score, evaluate and plot; and the errors a user gets from a badly shaped time series file.
/// </summary>
public sealed class SequenceCliTests : IDisposable
{
    private const int Window = 16;
    // The planted anomaly: series s2 changes frequency over these steps.
    private const int PlantedFrom = 120, PlantedTo = 134;
    private readonly string _folder = Directory.CreateTempSubdirectory("anomalyae-cli-sequence-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string PathOf(string name) => Path.Combine(_folder, name);

    /// <summary>
    /// Two series (s1, s2) of two channels, one row per step, the series' rows interleaved; with <paramref name="planted"/>
    /// s2's first channel changes frequency over steps 120–134 (label 1); <paramref name="shuffled"/> writes the rows in
    /// random order (the order column puts them back).
    /// </summary>
    private string SeriesCsv(string name, int steps, int seed, bool planted, bool shuffled = false)
    {
        var random = new Random(seed);
        var rows = new List<string>();
        for (int t = 0; t < steps; t++)
            foreach (var (series, phase) in new[] { ("s1", 0.0), ("s2", 1.0) })
            {
                bool anomaly = planted && series == "s2" && t is >= PlantedFrom and <= PlantedTo;
                double a = anomaly ? Math.Sin(2 * Math.PI * t / 5) : Math.Sin(2 * Math.PI * t / 20 + phase) + 0.05 * Gaussian(random);
                double b = Math.Cos(2 * Math.PI * t / 20 + phase) + 0.05 * Gaussian(random);
                rows.Add(string.Create(CultureInfo.InvariantCulture, $"{series},{t},{a:F4},{b:F4},{(anomaly ? 1 : 0)}"));
            }
        string[] lines = [.. rows];
        if (shuffled) random.Shuffle(lines);
        string path = PathOf(name);
        File.WriteAllText(path, "sensor,time,a,b,label\n" + string.Join('\n', lines) + "\n", new UTF8Encoding(false));
        return path;
    }

    private static double Gaussian(Random random) => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    private string Train(string data, string model)
    {
        var result = CliRunner.Run("train", "--data", data, "--out", model, "--window", $"{Window}", "--series-column", "sensor", "--order-column", "time",
            "--epochs", "10", "--threads", "1", "--seed", "7", "--label-column", "label");
        Assert.True(result.ExitCode == 0, result.Errors);
        return model;
    }

    private static (string[] Header, string[][] Rows) ReadCsv(string path)
    {
        var lines = File.ReadAllLines(path);
        return (lines[0].Split(','), [.. lines.Skip(1).Select(l => l.Split(','))]);
    }

    [Fact]
    public void TrainScoreEvaluateAndPlotASequenceModelFromCsv()
    {
        // Training rows out of order: training sorts each series by the order column.
        string model = Train(SeriesCsv("train.csv", 300, seed: 1, planted: false, shuffled: true), PathOf("seq.aeml"));
        string test = SeriesCsv("test.csv", 200, seed: 2, planted: true);
        string scoredPath = PathOf("scored.csv");
        var score = CliRunner.Run("score", "--model", model, "--data", test, "--out", scoredPath, "--label-column", "label");
        Assert.True(score.ExitCode == 0, score.Errors);
        Assert.Contains("30 rows have no score", score.Errors);

        var input = File.ReadAllLines(test);
        var (header, rows) = ReadCsv(scoredPath);
        Assert.Equal(input.Length - 1, rows.Length);
        for (int i = 0; i < rows.Length; i += 37) Assert.StartsWith(input[i + 1] + ",", string.Join(',', rows[i]));   // input cells first, in order
        int scoreAt = Array.IndexOf(header, "Score"), predictedAt = Array.IndexOf(header, "PredictedLabel");
        var scores = rows.Select(r => float.Parse(r[scoreAt], CultureInfo.InvariantCulture)).ToArray();
        // Each series is windowed apart, though its rows are interleaved with the other's: its first Window − 1 steps have no score.
        for (int i = 0; i < rows.Length; i++)
        {
            int step = int.Parse(rows[i][1], CultureInfo.InvariantCulture);
            Assert.True(step < Window - 1 ? float.IsNaN(scores[i]) : float.IsFinite(scores[i]), $"row {i} ({rows[i][0]}, step {step}): score {scores[i]}");
            if (float.IsNaN(scores[i])) Assert.Equal("false", rows[i][predictedAt]);
        }
        // The planted steps, and the windows still holding them, take the top scores.
        bool Covers(int i) => rows[i][0] == "s2" && int.Parse(rows[i][1], CultureInfo.InvariantCulture) is >= PlantedFrom and <= PlantedTo + Window - 1;
        var top = Enumerable.Range(0, rows.Length).Where(i => float.IsFinite(scores[i])).OrderByDescending(i => scores[i]).Take(20).ToArray();
        Assert.True(top.All(Covers), $"top rows: {string.Join(", ", top.Select(i => $"{rows[i][0]}@{rows[i][1]}"))}");
        // Flagged: every planted step but the first (the default score is a mean of the last 10 window scores, relative to
        // the series' recent ones, so it may rise a step late), and nothing outside the windows that hold a planted step.
        var flagged = Enumerable.Range(0, rows.Length).Where(i => rows[i][predictedAt] == "true").ToArray();
        string Flagged() => string.Join(", ", flagged.Select(i => $"{rows[i][0]}@{rows[i][1]}"));
        Assert.True(Enumerable.Range(0, rows.Length).Where(i => rows[i][4] == "1" && rows[i][1] != $"{PlantedFrom}").All(i => rows[i][predictedAt] == "true"), "flagged: " + Flagged());
        Assert.True(flagged.All(Covers), "flagged: " + Flagged());

        // Same seed, same data: the same model, to the bit.
        string again = Train(PathOf("train.csv"), PathOf("again.aeml"));
        var rescore = CliRunner.Run("score", "--model", again, "--data", test, "--out", PathOf("again.csv"));
        Assert.True(rescore.ExitCode == 0, rescore.Errors);
        var (againHeader, againRows) = ReadCsv(PathOf("again.csv"));
        Assert.Equal(rows.Select(r => r[scoreAt]), againRows.Select(r => r[Array.IndexOf(againHeader, "Score")]));

        // evaluate leaves the unscored rows out; plot draws the series with its score.
        var evaluate = CliRunner.Run("evaluate", "--model", model, "--data", test, "--label-column", "label", "--json");
        Assert.True(evaluate.ExitCode == 0, evaluate.Errors);
        using (var metrics = JsonDocument.Parse(evaluate.Output))
        {
            Assert.Equal(rows.Length - 2 * (Window - 1), metrics.RootElement.GetProperty("Rows").GetInt32());
            Assert.Equal(PlantedTo - PlantedFrom + 1, metrics.RootElement.GetProperty("Anomalies").GetInt32());
            Assert.True(metrics.RootElement.GetProperty("RocAuc").GetDouble() > 0.95, evaluate.Output);
        }
        var plot = CliRunner.Run("plot", "--model", model, "--data", test, "--label-column", "label", "--out", PathOf("plots"));
        Assert.True(plot.ExitCode == 0, plot.Errors);
        Assert.True(new FileInfo(PathOf("plots/series.png")).Length > 10_000);
    }

    [Fact]
    public void BadTimeSeriesInputFailsNamingTheColumnAndLeavesNoOutput()
    {
        var misuse = CliRunner.Run("train", "--data", SeriesCsv("train.csv", 100, seed: 1, planted: false), "--out", PathOf("never.aeml"), "--series-column", "sensor");
        Assert.NotEqual(0, misuse.ExitCode);
        Assert.Contains("add --window STEPS", misuse.Output + misuse.Errors);
        var baseline = CliRunner.Run("train", "--data", PathOf("train.csv"), "--out", PathOf("never.aeml"), "--window", "16", "--baseline", "50");
        Assert.NotEqual(0, baseline.ExitCode);
        Assert.Contains("--baseline must be 0 (the raw reconstruction error) or at least 100 steps, not 50", baseline.Output + baseline.Errors);

        string model = Train(PathOf("train.csv"), PathOf("seq.aeml"));
        var lines = File.ReadAllLines(SeriesCsv("test.csv", 60, seed: 2, planted: false));
        string scored = PathOf("scored.csv");
        CliResult Score(string name, IEnumerable<string> content)
        {
            string path = PathOf(name);
            File.WriteAllLines(path, content, new UTF8Encoding(false));
            return CliRunner.Run("score", "--model", model, "--data", path, "--out", scored);
        }

        var noSeries = Score("no-series.csv", lines.Select(l => l[(l.IndexOf(',') + 1)..]));
        Assert.Equal(2, noSeries.ExitCode);
        Assert.Contains("column 'sensor' (series) is missing", noSeries.Errors);

        // Lines 21 and 23 are s1's steps 10 and 11 (the series' rows alternate): swapped, s1 goes back in time.
        var swapped = lines.ToArray();
        (swapped[21], swapped[23]) = (swapped[23], swapped[21]);
        var unordered = Score("unordered.csv", swapped);
        Assert.Equal(2, unordered.ExitCode);
        Assert.Contains("Order column 'time' goes back in series 's1'", unordered.Errors);

        // The model was trained with the default missing-value handling (error): an empty cell is refused, naming its series.
        var missing = lines.ToArray();
        var cells = missing[41].Split(',');   // s1's step 20
        cells[2] = "";
        missing[41] = string.Join(',', cells);
        var empty = Score("missing.csv", missing);
        Assert.Equal(2, empty.ExitCode);
        Assert.Contains("hold NaN in channel 0", empty.Errors);
        Assert.Contains("series 's1'", empty.Errors);

        Assert.False(File.Exists(scored));
        Assert.Empty(Directory.GetFiles(_folder, "*.tmp"));
    }
}
