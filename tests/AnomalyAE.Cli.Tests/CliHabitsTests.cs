using System.Text;
using System.Text.RegularExpressions;

namespace AnomalyAE.Cli.Tests;

/// <summary>What users expect of a command line tool: --version, typos rejected, <c>-</c> for standard input and output.</summary>
public sealed class CliHabitsTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("anomalyae-cli-habits-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string PathOf(string name) => Path.Combine(_folder, name);

    [Fact]
    public void VersionPrintsThePackageVersion()
    {
        var result = CliRunner.Run("--version");
        Assert.True(result.ExitCode == 0, result.Errors);
        Assert.Matches(new Regex(@"^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$"), result.Output.Trim());
        // The one version of every package and the tool: Directory.Build.props's VersionPrefix.
        string props = File.ReadAllText(Path.Combine(RepositoryRoot, "Directory.Build.props"));
        string prefix = Regex.Match(props, @"<VersionPrefix>([^<]+)</VersionPrefix>").Groups[1].Value;
        Assert.StartsWith(prefix, result.Output.Trim());
    }

    [Theory]
    [InlineData("train")]
    [InlineData("score")]
    [InlineData("evaluate")]
    [InlineData("plot")]
    [InlineData("export")]
    [InlineData("worker")]
    public void EveryOptionInTheHelpHasADescription(string command)
    {
        var help = CliRunner.Run(command, "--help");
        Assert.True(help.ExitCode == 0, help.Errors);
        // Spectre's layout: "    -h, --help    Prints help information" / "        --seed <N>    Random seed …".
        var options = help.Output.Split('\n').SkipWhile(l => !l.StartsWith("OPTIONS:", StringComparison.Ordinal)).Skip(1)
            .TakeWhile(l => l.Trim().Length > 0).Where(l => l.TrimStart().StartsWith('-')).ToList();
        Assert.NotEmpty(options);
        Assert.All(options, line => Assert.Matches(new Regex(@"^\s+(-\w, )?--[\w-]+( <[^>]+>)?\s{2,}\S"), line));
    }

    [Fact]
    public void TheHelpNamesEveryColumnScoreWrites()
    {
        var help = CliRunner.Run("--help");
        Assert.True(help.ExitCode == 0, help.Errors);
        Assert.Contains("Score, PredictedLabel and Probability", Regex.Replace(help.Output, @"\s+", " "));
    }

    private static string RepositoryRoot { get; } = FindRepositoryRoot();

    private static string FindRepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
            if (File.Exists(Path.Combine(folder.FullName, "AnomalyAE.sln"))) return folder.FullName;
        throw new InvalidOperationException($"AnomalyAE.sln not found above {AppContext.BaseDirectory}.");
    }

    [Fact]
    public void AnUnknownOptionIsAnErrorThatNamesItAndTheClosestValidOne()
    {
        string data = CliRunner.ManifoldCsv(_folder, "train.csv", 50);
        var typo = CliRunner.Run("train", "--data", data, "--out", PathOf("m.aeml"), "--epoch", "1");
        Assert.Equal(2, typo.ExitCode);
        Assert.Contains("'--epoch'", typo.Errors);
        Assert.Contains("did you mean '--epochs'", typo.Errors);
        Assert.False(File.Exists(PathOf("m.aeml")), "a run with an unknown option trained anyway");

        var flag = CliRunner.Run("score", "--model", PathOf("m.aeml"), "--data", data, "--out", PathOf("s.csv"), "--latnet");
        Assert.Equal(2, flag.ExitCode);
        Assert.Contains("did you mean '--latent'", flag.Errors);

        var stray = CliRunner.Run("evaluate", "--model", PathOf("m.aeml"), "--data", data, "extra");
        Assert.Equal(2, stray.ExitCode);
        Assert.Contains("'extra'", stray.Errors);

        var command = CliRunner.Run("trian", "--data", data);
        Assert.Equal(2, command.ExitCode);
        Assert.Contains("did you mean 'train'", command.Errors);
    }

    [Fact]
    public void TrainMakesTheFolderOfItsModelFileAsScoreMakesItsOutputFolder()
    {
        string data = CliRunner.ManifoldCsv(_folder, "train.csv", 100);
        string model = PathOf(Path.Combine("models", "today", "m.aeml"));
        var train = CliRunner.Run("train", "--data", data, "--out", model, "--epochs", "2", "--latent", "2", "--threads", "1", "--ensemble", "1");
        Assert.True(train.ExitCode == 0, train.Errors);
        var score = CliRunner.Run("score", "--model", model, "--data", data, "--out", PathOf(Path.Combine("scored", "s.csv")));
        Assert.True(score.ExitCode == 0, score.Errors);
        Assert.Equal(101, File.ReadAllLines(PathOf(Path.Combine("scored", "s.csv"))).Length);
    }

    [Fact]
    public void ADashReadsStandardInputAndWritesStandardOutput()
    {
        string data = CliRunner.ManifoldCsv(_folder, "train.csv", 300);
        byte[] csv = File.ReadAllBytes(data);

        // train --data - --out -: CSV in, model file out.
        var train = CliRunner.RunWithInput(csv, "train", "--data", "-", "--out", "-", "--epochs", "5", "--latent", "2", "--threads", "1");
        Assert.True(train.ExitCode == 0, train.Errors);
        Assert.Equal((byte)'P', train.OutputBytes[0]);   // a zip container, nothing else on standard output
        Assert.Equal((byte)'K', train.OutputBytes[1]);
        string model = PathOf("model.aeml");
        File.WriteAllBytes(model, train.OutputBytes);

        // score from files, then with the data on standard input and the result on standard output: the same CSV.
        var fromFiles = CliRunner.Run("score", "--model", model, "--data", data, "--out", PathOf("scored.csv"));
        Assert.True(fromFiles.ExitCode == 0, fromFiles.Errors);
        string expected = File.ReadAllText(PathOf("scored.csv"));
        Assert.StartsWith("id,x0,", expected);

        var piped = CliRunner.RunWithInput(csv, "score", "--model", model, "--data", "-", "--out", "-");
        Assert.True(piped.ExitCode == 0, piped.Errors);
        Assert.Equal(expected, piped.Output);
        Assert.Contains("wrote standard output", piped.Errors);

        // The model on standard input instead.
        var modelPiped = CliRunner.RunWithInput(train.OutputBytes, "score", "--model", "-", "--data", data, "--out", "-");
        Assert.True(modelPiped.ExitCode == 0, modelPiped.Errors);
        Assert.Equal(expected, modelPiped.Output);

        // evaluate reads labelled data from standard input too.
        var evaluate = CliRunner.RunWithInput(csv, "evaluate", "--model", model, "--data", "-", "--json");
        Assert.True(evaluate.ExitCode == 0, evaluate.Errors);
        Assert.Contains("\"RocAuc\"", evaluate.Output);

        var both = CliRunner.RunWithInput(Encoding.UTF8.GetBytes("x\n"), "score", "--model", "-", "--data", "-", "--out", "-");
        Assert.Equal(2, both.ExitCode);
        Assert.Contains("both read standard input", both.Errors);
    }
}
