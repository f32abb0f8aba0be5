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
/// The packages as users get them, from the local feed the README's own pack command made (<see cref="PackageFeed"/>):
/// (c) a PackageReference console app, (d) the same app published self-contained for linux-x64, (e) the anomalyae tool
/// the README installed with <c>dotnet tool install --tool-path</c>, training and scoring, (f) an app of the Hosting and
/// ASP.NET Core packages serving a model. Each runs with the run-time fix switched off (ANOMALYAE_NATIVE_FIX=0): the
/// build step the packages carry must be enough on its own.
/// </summary>
[Collection(PackageFeedCollection.Name)]
public sealed class PackageConsumerTests(PackageFeed feed, ITestOutputHelper log)
{
    private const string Version = "GLIBCXX_3.4.32";
    private static readonly string[] Quiet = ["-nologo", "-v:q", "-nodeReuse:false", "-p:NuGetAudit=false"];

    [Fact]
    public void AConsoleAppWithAPackageReferenceFitsAModel()
    {
        using var app = new ConsumerApp();
        string project = app.WritePackageReferenceApp(Packages(), feed.Version);

        var build = Step("build", () => DotnetProcess.Run(app.Folder, Environment(app),
            ["build", project, "-c", "Release", "--artifacts-path", app.Artifacts, "-p:CreateHardLinksForCopyLocalIfPossible=true", .. Quiet]));
        Assert.True(build.ExitCode == 0, build.ToString());
        if (OperatingSystem.IsLinux()) Assert.All(app.CopiedLibTorchSharp(), AssertPatched);   // buildTransitive ran

        string program = Directory.GetFiles(Path.Combine(app.Artifacts, "bin"), "Consumer.dll", SearchOption.AllDirectories).Single();
        var run = Step("run", () => DotnetProcess.Run(app.Folder, Environment(app, nativeFix: false), program));
        AssertFittedAndRankedTheOutlierFirst(run);
    }

    [Fact]
    public void ASelfContainedLinuxPublishFitsAModel()
    {
        using var app = new ConsumerApp();
        string project = app.WritePackageReferenceApp(Packages(), feed.Version);
        string output = Path.Combine(app.Folder, "publish");

        var publish = Step("publish -r linux-x64 --self-contained", () => DotnetProcess.Run(app.Folder, Environment(app),
            ["publish", project, "-c", "Release", "-r", "linux-x64", "--self-contained", "-o", output, "--artifacts-path", app.Artifacts,
             "-p:CreateHardLinksForCopyLocalIfPossible=true", "-p:CreateHardLinksForPublishFilesIfPossible=true", .. Quiet]));
        Assert.True(publish.ExitCode == 0, publish.ToString());
        Assert.True(File.Exists(Path.Combine(output, "libcoreclr.so")), "the publish is not self-contained");
        AssertPatched(Path.Combine(output, "libLibTorchSharp.so"));

        // The apphost alone, no dotnet in between.
        var run = Step("run", () => ProgramProcess.Run(Path.Combine(output, "Consumer"), app.Folder, Environment(app, nativeFix: false)));
        AssertFittedAndRankedTheOutlierFirst(run);
    }

    [Fact]
    public void TheHostingAndAspNetCorePackagesServeAModel()
    {
        using var app = new ConsumerApp();
        string project = app.WriteServingApp(Packages(), feed.Version);

        var build = Step("build", () => DotnetProcess.Run(app.Folder, Environment(app),
            ["build", project, "-c", "Release", "--artifacts-path", app.Artifacts, .. Quiet]));
        Assert.True(build.ExitCode == 0, build.ToString());
        string program = Directory.GetFiles(Path.Combine(app.Artifacts, "bin"), "Consumer.dll", SearchOption.AllDirectories).Single();
        var run = Step("run", () => DotnetProcess.Run(app.Folder, Environment(app, nativeFix: false), program));
        string? line = run.Output.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith(ConsumerApp.ServedMarker + " ", StringComparison.Ordinal));
        Assert.True(run.ExitCode == 0 && line is not null, run.ToString());
        var fields = line!.Split(' ').Skip(1).Select(f => f.Split('=')).ToDictionary(f => f[0], f => f[1]);
        Assert.True(float.Parse(fields["score"], CultureInfo.InvariantCulture) > 0 && fields["hook"] == "True", run.ToString());
    }

    [Fact]
    public void TheStablePackagesDependOnStablePackagesOnly()
    {
        // NU5104 fails the pack of a stable package with a prerelease dependency; this names the dependency if a
        // prerelease version label is ever used to get past it.
        foreach (string package in Directory.GetFiles(Packages(), "*.nupkg"))
        {
            using var zip = System.IO.Compression.ZipFile.OpenRead(package);
            var nuspec = System.Xml.Linq.XDocument.Load(zip.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal)).Open());
            var ns = nuspec.Root!.Name.Namespace;
            string version = nuspec.Descendants(ns + "version").Single().Value;
            Assert.DoesNotContain('-', version);
            foreach (var dependency in nuspec.Descendants(ns + "dependency"))
                Assert.False(dependency.Attribute("version")!.Value.Contains('-'),
                    $"{Path.GetFileName(package)} depends on {dependency.Attribute("id")!.Value} {dependency.Attribute("version")!.Value}, a prerelease");
        }
    }

    [Fact]
    public void TheToolInstalledFromTheFeedTrainsAndScores()
    {
        string package = Path.Combine(Packages(), $"AnomalyAE.Cli.linux-x64.{feed.Version}.nupkg");
        foreach (string platform in new[] { "linux-x64", "win-x64" })
        {
            var file = new FileInfo(Path.Combine(feed.Folder, $"AnomalyAE.Cli.{platform}.{feed.Version}.nupkg"));
            log.WriteLine($"{file.Name}: {file.Length / 1e6:F1} MB");
            Assert.True(file.Length < 250_000_000, $"{file.FullName} is {file.Length} bytes, over NuGet's 250 MB limit");
        }
        // The README installed the tool (dotnet tool install … --tool-path ./tools); its linux-x64 package carries no
        // Windows natives.
        using (var zip = System.IO.Compression.ZipFile.OpenRead(package))
            Assert.DoesNotContain(zip.Entries, e => e.FullName.EndsWith("/onnxruntime.dll", StringComparison.OrdinalIgnoreCase));
        string tools = feed.Tools;
        if (OperatingSystem.IsLinux())
            AssertPatched(Directory.GetFiles(tools, "libLibTorchSharp.so", SearchOption.AllDirectories).Single());   // packed with mode always

        using var app = new ConsumerApp();
        string anomalyae = Path.Combine(tools, "anomalyae");
        var version = ProgramProcess.Run(anomalyae, app.Folder, Environment(app, nativeFix: false), "--version");
        Assert.True(version.ExitCode == 0 && version.Output.Trim() == feed.Version, version.ToString());

        string data = WriteCsv(app.Folder);
        var train = Step("anomalyae train", () => ProgramProcess.Run(anomalyae, app.Folder, Environment(app, nativeFix: false),
            "train", "--data", data, "--out", "model.aeml", "--epochs", "20", "--latent", "2", "--threads", "1"));
        Assert.True(train.ExitCode == 0, train.ToString());
        var score = Step("anomalyae score", () => ProgramProcess.Run(anomalyae, app.Folder, Environment(app, nativeFix: false),
            "score", "--model", "model.aeml", "--data", data, "--out", "-"));
        Assert.True(score.ExitCode == 0, score.ToString());
        var rows = score.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("id,a,b,c,d,Score,PredictedLabel,Probability", rows[0]);
        Assert.Equal(201, rows.Length);
        var scores = rows.Skip(1).Select(r => float.Parse(r.Split(',')[5], CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal(0, Array.IndexOf(scores, scores.Max()));   // the planted outlier (row 0) ranks first
    }

    /// <summary>The feed, made by the README's commands the first time a test asks (they take minutes).</summary>
    private string Packages()
    {
        string folder = feed.Packages();
        log.WriteLine($"README commands (pack, installs, CLI): {feed.ReadmeElapsed.TotalSeconds:F0} s, once per run");
        return folder;
    }

    /// <summary>The app's variables and the feed's (its private global packages folder).</summary>
    private Dictionary<string, string?> Environment(ConsumerApp app, bool nativeFix = true)
    {
        var environment = feed.Environment();
        foreach (var (name, value) in app.Environment(nativeFix)) environment[name] = value;
        return environment;
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
