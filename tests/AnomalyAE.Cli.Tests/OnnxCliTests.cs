using System.Diagnostics;
using System.Globalization;

namespace AnomalyAE.Cli.Tests;

/// <summary>
/// anomalyae export and score --model m.onnx: the exported model scores a CSV like the .aeml it came from, and it does so
/// with libtorch unavailable (a copy of the CLI without libtorch's native libraries and without a NuGet cache to fetch them
/// from), while the .aeml, as a control, cannot be scored there.
/// </summary>
public sealed class OnnxCliTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("anomalyae-cli-onnx-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string PathOf(string name) => Path.Combine(_folder, name);

    [Fact]
    public void An_exported_model_scores_like_the_aeml_without_libtorch()
    {
        string data = CliRunner.ManifoldCsv(_folder, "train.csv", 400);
        string model = PathOf("model.aeml"), onnx = PathOf("model.onnx");
        var train = CliRunner.Run("train", "--data", data, "--out", model, "--epochs", "10", "--latent", "2", "--hidden", "16", "--threads", "1");
        Assert.True(train.ExitCode == 0, train.Errors);
        var export = CliRunner.Run("export", "--model", model, "--out", onnx);
        Assert.True(export.ExitCode == 0, export.Errors);

        var expected = Score(CliRunner.Run, model, "torch.csv");
        var actual = Score(CliRunner.Run, onnx, "onnx.csv");
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            // The CLI's default score (an ensemble's mean of standardized scores) is compared in units of those scales' IQR.
            Assert.True(Math.Abs(expected[i].Score - actual[i].Score) <= 1e-5 * Math.Max(Math.Abs(expected[i].Score), 1), $"row {i}: {expected[i].Score} vs {actual[i].Score}");
            Assert.Equal(expected[i].Label, actual[i].Label);
        }

        // The same CLI with libtorch's natives removed and no NuGet cache to copy them from.
        string bare = WithoutLibtorch();
        CliResult RunBare(params string[] arguments) => RunIn(bare, arguments);
        var withoutTorch = Score(RunBare, onnx, "bare.csv");
        Assert.Equal(actual.Select(r => r.Score), withoutTorch.Select(r => r.Score));
        var control = RunBare("score", "--model", model, "--data", data, "--out", PathOf("control.csv"));
        Assert.NotEqual(0, control.ExitCode);
    }

    [Fact]
    public void Export_of_a_missing_model_fails_naming_it()
    {
        var export = CliRunner.Run("export", "--model", PathOf("none.aeml"), "--out", PathOf("none.onnx"));
        Assert.Equal(2, export.ExitCode);
        Assert.Contains("none.aeml", export.Errors);
        Assert.False(File.Exists(PathOf("none.onnx")));
    }

    private (float Score, string Label)[] Score(Func<string[], CliResult> run, string model, string output)
    {
        string data = CliRunner.ManifoldCsv(_folder, "test.csv", 300, seed: 2);
        var result = run(["score", "--model", model, "--data", data, "--out", PathOf(output)]);
        Assert.True(result.ExitCode == 0, result.Errors);
        var lines = File.ReadAllLines(PathOf(output));
        var header = lines[0].Split(',');
        int score = Array.IndexOf(header, "Score"), label = Array.IndexOf(header, "PredictedLabel");
        return [.. lines.Skip(1).Select(l => l.Split(',')).Select(c => (float.Parse(c[score], CultureInfo.InvariantCulture), c[label]))];
    }

    /// <summary>A copy of the test's output folder (the CLI and its dependencies) keeping only the natives that are not libtorch's.</summary>
    private string WithoutLibtorch()
    {
        string source = AppContext.BaseDirectory, copy = PathOf("bare-cli");
        string[] keptNatives = ["libonnxruntime.so", "libonnxruntime_providers_shared.so", "libSkiaSharp.so", "libHarfBuzzSharp.so", "libLdaNative.so"];
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            string relative = Path.GetRelativePath(source, file);
            bool native = relative.StartsWith("runtimes" + Path.DirectorySeparatorChar, StringComparison.Ordinal) || relative.StartsWith("cpu" + Path.DirectorySeparatorChar, StringComparison.Ordinal);
            if (native && !(relative.Contains("linux-x64") && keptNatives.Contains(Path.GetFileName(file)))) continue;
            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(copy, relative))!);
            File.Copy(file, Path.Combine(copy, relative));
        }
        Assert.DoesNotContain(Directory.EnumerateFiles(copy, "*", SearchOption.AllDirectories), f => f.Contains("torch", StringComparison.OrdinalIgnoreCase) && f.EndsWith(".so", StringComparison.Ordinal));
        return copy;
    }

    private CliResult RunIn(string folder, string[] arguments)
    {
        string empty = Directory.CreateDirectory(PathOf("empty-home")).FullName;
        var start = new ProcessStartInfo("dotnet", [Path.Combine(folder, "AnomalyAE.Cli.dll"), .. arguments])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        // No NuGet cache and no user cache: TorchSharp's and AnomalyAE's fallbacks find no libtorch to copy.
        start.Environment["NUGET_PACKAGES"] = empty;
        start.Environment["HOME"] = empty;
        start.Environment["XDG_CACHE_HOME"] = empty;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(3)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"anomalyae {string.Join(' ', arguments)} hung");
        }
        return new CliResult(process.ExitCode, output.Result, errors.Result);
    }
}
