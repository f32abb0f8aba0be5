using System.Globalization;
using AnomalyAE.Build;
using Xunit.Abstractions;

namespace AnomalyAE.Consumer.Tests;

[CollectionDefinition(Name)]
public sealed class PackageFeedCollection : ICollectionFixture<PackageFeed>
{
    public const string Name = "packages";
}

/// <summary>
/// The packages as users get them, from a local feed made by <c>dotnet pack</c>: (c) a PackageReference console app,
/// (d) the same app published self-contained for linux-x64, (e) the anomalyae tool installed with
/// <c>dotnet tool install --tool-path</c>, training and scoring. Each runs with the run-time fix switched off
/// (ANOMALYAE_NATIVE_FIX=0): the build step the packages carry must be enough on its own.
/// </summary>
[Collection(PackageFeedCollection.Name)]
public sealed class PackageConsumerTests(PackageFeed feed, ITestOutputHelper log)
{
    private const string Version = "GLIBCXX_3.4.32";
    private static readonly string[] Quiet = ["-nologo", "-v:q", "-nodeReuse:false", "-p:NuGetAudit=false"];

    [Fact]
    public void AConsoleAppWithAPackageReferenceFitsAModel()
    {
        log.WriteLine($"pack AnomalyAE: {feed.PackLibrary().TotalSeconds:F1} s (once per run)");
        using var app = new ConsumerApp();
        string project = app.WritePackageReferenceApp(feed.Folder, feed.Version);

        var build = Step("build", () => DotnetProcess.Run(app.Folder, app.Environment(),
            ["build", project, "-c", "Release", "--artifacts-path", app.Artifacts, "-p:CreateHardLinksForCopyLocalIfPossible=true", .. Quiet]));
        Assert.True(build.ExitCode == 0, build.ToString());
        if (OperatingSystem.IsLinux()) Assert.All(app.CopiedLibTorchSharp(), AssertPatched);   // buildTransitive ran

        string program = Directory.GetFiles(Path.Combine(app.Artifacts, "bin"), "Consumer.dll", SearchOption.AllDirectories).Single();
        var run = Step("run", () => DotnetProcess.Run(app.Folder, app.Environment(nativeFix: false), program));
        AssertFittedAndRankedTheOutlierFirst(run);
    }

    [Fact]
    public void ASelfContainedLinuxPublishFitsAModel()
    {
        log.WriteLine($"pack AnomalyAE: {feed.PackLibrary().TotalSeconds:F1} s (once per run)");
        using var app = new ConsumerApp();
        string project = app.WritePackageReferenceApp(feed.Folder, feed.Version);
        string output = Path.Combine(app.Folder, "publish");

        var publish = Step("publish -r linux-x64 --self-contained", () => DotnetProcess.Run(app.Folder, app.Environment(),
            ["publish", project, "-c", "Release", "-r", "linux-x64", "--self-contained", "-o", output, "--artifacts-path", app.Artifacts,
             "-p:CreateHardLinksForCopyLocalIfPossible=true", "-p:CreateHardLinksForPublishFilesIfPossible=true", .. Quiet]));
        Assert.True(publish.ExitCode == 0, publish.ToString());
        Assert.True(File.Exists(Path.Combine(output, "libcoreclr.so")), "the publish is not self-contained");
        AssertPatched(Path.Combine(output, "libLibTorchSharp.so"));

        // The apphost alone, no dotnet in between.
        var run = Step("run", () => ProgramProcess.Run(Path.Combine(output, "Consumer"), app.Folder, app.Environment(nativeFix: false)));
        AssertFittedAndRankedTheOutlierFirst(run);
    }

    [Fact]
    public void TheToolInstalledFromTheFeedTrainsAndScores()
    {
        log.WriteLine($"pack AnomalyAE.Cli (linux-x64): {feed.PackTool().TotalSeconds:F1} s");
        string package = Path.Combine(feed.Folder, $"AnomalyAE.Cli.linux-x64.{feed.Version}.nupkg");
        long size = new FileInfo(package).Length;
        log.WriteLine($"{Path.GetFileName(package)}: {size / 1e6:F1} MB");
        Assert.True(size < 250_000_000, $"{package} is {size} bytes, over NuGet's 250 MB limit");

        using var app = new ConsumerApp();
        string tools = Path.Combine(app.Folder, "tools");
        var install = Step("tool install", () => DotnetProcess.Run(app.Folder, app.Environment(),
            ["tool", "install", "AnomalyAE.Cli", "--version", feed.Version, "--tool-path", tools, "--add-source", feed.Folder]));
        Assert.True(install.ExitCode == 0, install.ToString());
        if (OperatingSystem.IsLinux())
            AssertPatched(Directory.GetFiles(tools, "libLibTorchSharp.so", SearchOption.AllDirectories).Single());   // packed with mode always

        string anomalyae = Path.Combine(tools, "anomalyae");
        var version = ProgramProcess.Run(anomalyae, app.Folder, app.Environment(nativeFix: false), "--version");
        Assert.True(version.ExitCode == 0 && version.Output.Trim() == feed.Version, version.ToString());

        string data = WriteCsv(app.Folder);
        var train = Step("anomalyae train", () => ProgramProcess.Run(anomalyae, app.Folder, app.Environment(nativeFix: false),
            "train", "--data", data, "--out", "model.aeml", "--epochs", "20", "--latent", "2", "--threads", "1"));
        Assert.True(train.ExitCode == 0, train.ToString());
        var score = Step("anomalyae score", () => ProgramProcess.Run(anomalyae, app.Folder, app.Environment(nativeFix: false),
            "score", "--model", "model.aeml", "--data", data, "--out", "-"));
        Assert.True(score.ExitCode == 0, score.ToString());
        var rows = score.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("id,a,b,c,d,Score,PredictedLabel,Probability", rows[0]);
        Assert.Equal(201, rows.Length);
        var scores = rows.Skip(1).Select(r => float.Parse(r.Split(',')[5], CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal(0, Array.IndexOf(scores, scores.Max()));   // the planted outlier (row 0) ranks first
    }

    /// <summary>200 rows of 4 features near zero, row 0 an outlier: the consumer program's data as CSV.</summary>
    private static string WriteCsv(string folder)
    {
        var random = new Random(1);
        var lines = new List<string> { "id,a,b,c,d" };
        for (int i = 0; i < 200; i++)
        {
            var values = i == 0 ? [8.0, -8, 8, -8] : Enumerable.Range(0, 4).Select(_ => random.NextDouble() * 0.2).ToArray();
            lines.Add($"r{i}," + string.Join(',', values.Select(v => v.ToString("F4", CultureInfo.InvariantCulture))));
        }
        string path = Path.Combine(folder, "data.csv");
        File.WriteAllLines(path, lines);
        return path;
    }

    private ProcessResult Step(string name, Func<ProcessResult> run)
    {
        var result = run();
        log.WriteLine($"{name}: {result.Elapsed.TotalSeconds:F1} s, exit code {result.ExitCode}");
        return result;
    }

    /// <summary>On Linux the copy a consumer loads no longer strictly requires GLIBCXX_3.4.32 (a no-op check elsewhere).</summary>
    private static void AssertPatched(string library)
    {
        if (!OperatingSystem.IsLinux()) return;
        Assert.False(ElfVersionNeeds.RequiresStrictly(File.ReadAllBytes(library), Version), $"{library} still requires {Version}");
    }

    private static void AssertFittedAndRankedTheOutlierFirst(ProcessResult run)
    {
        string? line = run.Output.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith(ConsumerApp.ScoresMarker + " ", StringComparison.Ordinal));
        Assert.True(run.ExitCode == 0 && line is not null, run.ToString());
        var fields = line!.Split(' ').Skip(1).Select(f => f.Split('=')).ToDictionary(f => f[0], f => f[1]);
        Assert.True(fields["rows"] == "200" && fields["top"] == "0", run.ToString());
    }
}
