using System.Diagnostics;
using System.Text.RegularExpressions;

namespace AnomalyAE.Consumer.Tests;

/// <summary>
/// The repository's packages as the README makes them, once per test run: a copy of the working tree (tracked and
/// untracked files, nothing git ignores) in a temporary folder outside the repository, in which <see cref="ReadmeRun"/>
/// runs the README's runnable blocks — among them <c>dotnet pack AnomalyAE.sln -c Release -o ./packages</c> (every
/// package, at the repository's own stable version) and the tool's install into <c>./tools</c>. The package tests install
/// from that folder.
/// <para>
/// NuGet: every process here restores into a private global packages folder whose entries are links to the machine's
/// own (~/.nuget/packages: libtorch is about 1 GB, never copied), except AnomalyAE's packages, which are extracted from
/// this run's feed only. A version such as 0.3.0 extracted into the shared folder by an earlier run or by hand would
/// otherwise be taken in place of the fresh package. Packages the machine's folder lacks are fetched into the private one.
/// </para>
/// </summary>
public sealed class PackageFeed : IDisposable
{
    /// <summary>The README's commands run this long at most (a cold pack of the solution takes a few minutes on 2 cores).</summary>
    private static readonly TimeSpan ReadmeLimit = TimeSpan.FromMinutes(20);

    private readonly Lazy<ReadmeRun> _readme;

    public PackageFeed()
    {
        Root = Directory.CreateTempSubdirectory("anomalyae-feed-").FullName;
        Repository = Path.Combine(Root, "AnomalyAE");
        NuGetPackages = Path.Combine(Root, "nuget-packages");
        Version = RepositoryVersion();
        _readme = new(RunReadme);
    }

    public string Root { get; }

    /// <summary>The copy of the repository in which the README's commands run.</summary>
    public string Repository { get; }

    /// <summary>The folder the README's pack command writes.</summary>
    public string Folder => Path.Combine(Repository, "packages");

    /// <summary>The tool folder the README's install command writes.</summary>
    public string Tools => Path.Combine(Repository, "tools");

    /// <summary>The packages' version: Directory.Build.props's VersionPrefix, as the README's commands name it.</summary>
    public string Version { get; }

    /// <summary>The private global packages folder (see the class summary).</summary>
    public string NuGetPackages { get; }

    /// <summary>How long the README's commands took in all (0 until they ran).</summary>
    public TimeSpan ReadmeElapsed { get; private set; }

    /// <summary>The README's runnable blocks, run on first use.</summary>
    public ReadmeRun Readme => _readme.Value;

    /// <summary>
    /// Variables for every process that restores or builds against the feed: the private global packages folder, and
    /// hard links for copy-local files (libtorch) in projects outside the repository, whose Directory.Build.props asks
    /// for them only inside it.
    /// </summary>
    public Dictionary<string, string?> Environment() => new()
    {
        ["NUGET_PACKAGES"] = NuGetPackages,
        ["CreateHardLinksForCopyLocalIfPossible"] = "true",
        ["CreateHardLinksForPublishFilesIfPossible"] = "true",
        ["DOTNET_NOLOGO"] = "1",
        ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
    };

    /// <summary>
    /// The feed, after the README made it: fails with the README's failing command and its output when the packages were
    /// not made.
    /// </summary>
    public string Packages()
    {
        var run = Readme;
        bool packed = Directory.Exists(Folder) && Directory.EnumerateFiles(Folder, $"AnomalyAE.{Version}.nupkg").Any();
        if (!packed)
            throw new InvalidOperationException(run.FailedStep is { } failed
                ? $"The README's commands made no packages: {run.Describe(failed)} failed:\n{run.Outputs.GetValueOrDefault(failed)}"
                : $"The README's commands made no packages in {Folder}.\n{run.Result}");
        return Folder;
    }

    public void Dispose()
    {
        // The links first, so that deleting the folder never follows one into the machine's packages.
        if (Directory.Exists(NuGetPackages))
            foreach (string entry in Directory.EnumerateFileSystemEntries(NuGetPackages))
                if (new FileInfo(entry).LinkTarget is not null) File.Delete(entry);
        try { Directory.Delete(Root, recursive: true); }
        catch (IOException) { }
    }

    private ReadmeRun RunReadme()
    {
        CopyRepository();
        LinkSharedPackages();
        var clock = Stopwatch.StartNew();
        var run = ReadmeRun.Run(Consumer.Tests.Readme.ShellBlocks(), Repository, Environment(), ReadmeLimit);
        ReadmeElapsed = clock.Elapsed;
        return run;
    }

    /// <summary>The working tree as git sees it (tracked and untracked files, none that .gitignore names), without .git.</summary>
    private void CopyRepository()
    {
        var files = ProgramProcess.Run("git", ConsumerApp.RepositoryRoot, new Dictionary<string, string?>(),
            "ls-files", "-z", "--cached", "--others", "--exclude-standard");
        if (files.ExitCode != 0) throw new InvalidOperationException($"git ls-files failed in {ConsumerApp.RepositoryRoot}: {files}");
        foreach (string relative in files.Output.Split('\0', StringSplitOptions.RemoveEmptyEntries))
        {
            string source = Path.Combine(ConsumerApp.RepositoryRoot, relative);
            if (!File.Exists(source)) continue;   // deleted in the working tree, not yet in the index
            string target = Path.Combine(Repository, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(source, target);   // keeps the mode (test.sh stays executable)
        }
    }

    private void LinkSharedPackages()
    {
        Directory.CreateDirectory(NuGetPackages);
        string shared = System.Environment.GetEnvironmentVariable("NUGET_PACKAGES")
                        ?? Path.Combine(System.Environment.GetFolderPath(System.Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        if (!Directory.Exists(shared)) return;
        foreach (string id in Directory.GetDirectories(shared))
        {
            string name = Path.GetFileName(id);
            if (name.StartsWith("anomalyae", StringComparison.OrdinalIgnoreCase)) continue;
            Directory.CreateSymbolicLink(Path.Combine(NuGetPackages, name), id);
        }
    }

    private static string RepositoryVersion()
    {
        string props = File.ReadAllText(Path.Combine(ConsumerApp.RepositoryRoot, "Directory.Build.props"));
        var prefix = Regex.Match(props, @"<VersionPrefix>\s*([^<\s]+)\s*</VersionPrefix>");
        if (!prefix.Success) throw new InvalidOperationException("Directory.Build.props has no VersionPrefix.");
        return prefix.Groups[1].Value;
    }
}
