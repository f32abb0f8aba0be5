using System.Globalization;
using AnomalyAE.Build;
using Xunit.Abstractions;

namespace AnomalyAE.Consumer.Tests;

/// <summary>
/// Applications outside the repository, where the GLIBCXX build step never runs, fit a model on this machine: the
/// library's run-time fix (starting from an empty cache) carries them on Linux whose libstdc++ lacks GLIBCXX_3.4.32.
/// </summary>
public sealed class ConsumerTests(ITestOutputHelper log)
{
    private const string Version = "GLIBCXX_3.4.32";

    /// <summary>True where the copied libLibTorchSharp.so cannot load without a fix (Debian 12, Ubuntu 22.04).</summary>
    private static bool HostNeedsFix => OperatingSystem.IsLinux() && !HostLibStdCxx.Provides(Version);

    private static readonly string[] Quiet = ["-nologo", "-v:q", "-nodeReuse:false", "-p:NuGetAudit=false"];

    [Fact]
    public void AConsoleAppWithAProjectReferenceFitsAModel()
    {
        using var app = new ConsumerApp();
        string project = app.WriteProjectReferenceApp();

        // Hard links instead of copies of libtorch (~1 GB for three platforms) where the file system allows them.
        var build = Step("build", () => DotnetProcess.Run(app.Folder, app.Environment(),
            ["build", project, "-c", "Release", "--artifacts-path", app.Artifacts, "-p:CreateHardLinksForCopyLocalIfPossible=true", .. Quiet]));
        Assert.True(build.ExitCode == 0, build.ToString());
        AssertBuildStepDidNotRun(app);

        string program = Directory.GetFiles(Path.Combine(app.Artifacts, "bin"), "Consumer.dll", SearchOption.AllDirectories).Single();
        var run = Step("run", () => DotnetProcess.Run(app.Folder, app.Environment(), program));
        AssertFittedAndRankedTheOutlierFirst(run);
        AssertTheFixRanFromAnEmptyCache(app);

        if (!HostNeedsFix) return;
        // Opted out, the same program fails with the loader's reason and the opt-out named, never "add a backend package".
        var optedOut = Step("run with ANOMALYAE_NATIVE_FIX=0", () => DotnetProcess.Run(app.Folder, app.Environment(nativeFix: false), program));
        string failure = optedOut.Output.Split('\n').SingleOrDefault(l => l.StartsWith("FAILED: ", StringComparison.Ordinal)) ?? "";
        Assert.True(optedOut.ExitCode == 3 && failure.Contains(Version, StringComparison.Ordinal), optedOut.ToString());
        Assert.Contains("ANOMALYAE_NATIVE_FIX=0", failure);
        Assert.DoesNotContain("add a backend", failure, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void AFileBasedAppFitsAModel()
    {
        using var app = new ConsumerApp();
        string file = app.WriteFileBasedApp();

        // `dotnet run app.cs` builds (Debug) and runs; --artifacts-path keeps its output in the temporary folder
        // instead of the per-user run-file cache.
        var run = Step("dotnet run app.cs", () => DotnetProcess.Run(app.Folder, app.Environment(),
            ["run", "--artifacts-path", app.Artifacts, "--file", file]));
        AssertFittedAndRankedTheOutlierFirst(run);
        AssertBuildStepDidNotRun(app);
        AssertTheFixRanFromAnEmptyCache(app);
    }

    private ProcessResult Step(string name, Func<ProcessResult> run)
    {
        var result = run();
        log.WriteLine($"{name}: {result.Elapsed.TotalSeconds:F1} s, exit code {result.ExitCode}");
        return result;
    }

    private static void AssertFittedAndRankedTheOutlierFirst(ProcessResult run)
    {
        string? line = run.Output.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith(ConsumerApp.ScoresMarker + " ", StringComparison.Ordinal));
        Assert.True(run.ExitCode == 0 && line is not null, run.ToString());
        var fields = line!.Split(' ').Skip(1).Select(f => f.Split('=')).ToDictionary(f => f[0], f => f[1]);
        Assert.True(fields["rows"] == "200" && fields["top"] == "0", run.ToString());
        double max = double.Parse(fields["max"], CultureInfo.InvariantCulture), median = double.Parse(fields["median"], CultureInfo.InvariantCulture);
        Assert.True(max > 10 * median, run.ToString());
    }

    /// <summary>The consumer's own copy is the original: whatever made it load happened at run time.</summary>
    private static void AssertBuildStepDidNotRun(ConsumerApp app)
    {
        if (!OperatingSystem.IsLinux()) return;
        var copies = app.CopiedLibTorchSharp();
        Assert.NotEmpty(copies);
        Assert.All(copies, c => Assert.True(ElfVersionNeeds.RequiresStrictly(File.ReadAllBytes(c), Version), $"{c} was patched at build time"));
    }

    private static void AssertTheFixRanFromAnEmptyCache(ConsumerApp app)
    {
        var patched = Directory.Exists(app.NativeCache)
            ? Directory.GetFiles(app.NativeCache, "libLibTorchSharp.so", SearchOption.AllDirectories)
            : [];
        if (!HostNeedsFix)
        {
            Assert.Empty(patched);
            return;
        }
        string copy = Assert.Single(patched);
        Assert.False(ElfVersionNeeds.RequiresStrictly(File.ReadAllBytes(copy), Version), $"{copy} still requires {Version}");
    }
}
