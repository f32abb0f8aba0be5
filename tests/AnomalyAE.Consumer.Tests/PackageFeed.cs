namespace AnomalyAE.Consumer.Tests;

/// <summary>
/// The repository's packages, packed once per test run into a local feed in a temporary folder outside the repository,
/// at a version no earlier run used (0.1.0-test.&lt;time&gt;.&lt;process&gt;), so that a consumer can never pick a stale copy
/// from the NuGet global packages folder. Restores share that folder (~/.nuget/packages) with every other build; on
/// dispose this version's entries are removed from it, with the temporary folder.
/// </summary>
public sealed class PackageFeed : IDisposable
{
    private static readonly string[] Quiet = ["-nologo", "-v:q", "-nodeReuse:false", "-p:NuGetAudit=false"];
    private readonly Lazy<Packed> _library, _tool;

    public PackageFeed()
    {
        Root = Directory.CreateTempSubdirectory("anomalyae-feed-").FullName;
        Version = $"0.1.0-test.{DateTime.UtcNow:yyyyMMddHHmmss}.{System.Environment.ProcessId}";
        _library = new(() => Pack("src/AnomalyAE/AnomalyAE.csproj"));
        // The tool for this platform only: the other platforms' packages would only cost time.
        _tool = new(() => Pack("src/AnomalyAE.Cli/AnomalyAE.Cli.csproj", "-p:ToolPackageRuntimeIdentifiers=linux-x64"));
    }

    public string Root { get; }

    public string Folder => Path.Combine(Root, "feed");

    public string Version { get; }

    /// <summary>Packs the library (once) and returns how long that took.</summary>
    public TimeSpan PackLibrary() => _library.Value.Elapsed;

    /// <summary>Packs the tool (once; the library first) and returns how long that took.</summary>
    public TimeSpan PackTool()
    {
        PackLibrary();
        return _tool.Value.Elapsed;
    }

    public void Dispose()
    {
        try { Directory.Delete(Root, recursive: true); }
        catch (IOException) { }
        // Only this run's version: other versions in the global packages folder belong to someone else.
        string packages = System.Environment.GetEnvironmentVariable("NUGET_PACKAGES")
                          ?? Path.Combine(System.Environment.GetFolderPath(System.Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        if (!Directory.Exists(packages)) return;
        foreach (string id in Directory.GetDirectories(packages, "anomalyae*"))
        {
            string version = Path.Combine(id, Version.ToLowerInvariant());
            try { if (Directory.Exists(version)) Directory.Delete(version, recursive: true); }
            catch (IOException) { }
            if (Directory.Exists(id) && !Directory.EnumerateFileSystemEntries(id).Any()) Directory.Delete(id);
        }
    }

    private sealed record Packed(TimeSpan Elapsed);

    /// <summary>
    /// dotnet pack with its own artifacts folder (bin and obj) inside <see cref="Root"/>, so that nothing the repository's
    /// own builds use is touched.
    /// </summary>
    private Packed Pack(string project, params string[] extra)
    {
        var result = DotnetProcess.Run(ConsumerApp.RepositoryRoot, new Dictionary<string, string?>(),
            ["pack", Path.Combine(ConsumerApp.RepositoryRoot, project), "-c", "Release", "-o", Folder, "--artifacts-path", Path.Combine(Root, "artifacts"),
             $"-p:Version={Version}", .. extra, .. Quiet]);
        if (result.ExitCode != 0) throw new InvalidOperationException($"dotnet pack {project} failed: {result}");
        return new Packed(result.Elapsed);
    }
}
