using System.Reflection;

namespace AnomalyAE.NativeLoading;

/// <summary>
/// Finds, on Linux x64, the native files TorchSharp 0.107 would load. Its <c>LoadNativeBackend</c> first asks .NET for
/// <c>torch_cpu</c> and <c>LibTorchSharp</c> relative to TorchSharp.dll (the app's deps.json native folders, then the
/// assembly's folder); when that fails it copies the natives of the NuGet packages <c>libtorch-cpu-linux-x64</c> and
/// <c>torchsharp</c> from the global packages folder into <c>&lt;TorchSharp.dll folder&gt;/cpu/</c> and loads from there.
/// The same places are searched here, in that order, with the packages folder read in place rather than copied.
/// </summary>
internal sealed class TorchSharpNativeFiles
{
    public const string LibTorchSharpFile = "libLibTorchSharp.so";
    public const string TorchCpuFile = "libtorch_cpu.so";

    /// <summary>The libraries libLibTorchSharp.so names as DT_NEEDED from libtorch, in dependency order.</summary>
    public static readonly IReadOnlyList<string> LibTorchFiles = ["libc10.so", TorchCpuFile, "libtorch.so"];

    private const string Rid = "linux-x64";

    public string? LibTorchSharp { get; private init; }
    public string? LibTorchFolder { get; private init; }
    public IReadOnlyList<string> SearchedFolders { get; private init; } = [];

    public static TorchSharpNativeFiles Locate(Assembly torchSharp)
    {
        var searched = AppFolders(torchSharp);
        string version = torchSharp.GetName().Version?.ToString(3) ?? "";
        string? packages = PackagesFolder();
        string? torchSharpPackage = packages is null || version.Length == 0 ? null : NativeFolder(packages, "torchsharp", version);
        if (torchSharpPackage is not null) searched.Add(torchSharpPackage);
        var libTorchPackages = packages is null ? [] : LibTorchPackageFolders(packages);
        searched.AddRange(libTorchPackages);

        return new TorchSharpNativeFiles
        {
            LibTorchSharp = searched.Select(f => Path.Combine(f, LibTorchSharpFile)).FirstOrDefault(File.Exists),
            LibTorchFolder = searched.FirstOrDefault(f => File.Exists(Path.Combine(f, TorchCpuFile))),
            SearchedFolders = searched,
        };
    }

    /// <summary>The folders next to the application where .NET, then TorchSharp's own fallback, look.</summary>
    private static List<string> AppFolders(Assembly torchSharp)
    {
        var folders = new List<string>();
        if (AppContext.GetData("NATIVE_DLL_SEARCH_DIRECTORIES") is string probing)
            folders.AddRange(probing.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        if (Path.GetDirectoryName(torchSharp.Location) is { Length: > 0 } assemblyFolder)
        {
            folders.Add(assemblyFolder);
            folders.Add(Path.Combine(assemblyFolder, "runtimes", Rid, "native"));
            folders.Add(Path.Combine(assemblyFolder, "cpu"));
        }
        return folders.Select(f => Path.TrimEndingDirectorySeparator(Path.GetFullPath(f))).Distinct(StringComparer.Ordinal).ToList();
    }

    /// <summary>The NuGet global packages folder as NuGet itself resolves it without reading its configuration files.</summary>
    private static string? PackagesFolder()
    {
        if (Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } configured) return configured;
        string home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        return home.Length == 0 ? null : Path.Combine(home, ".nuget", "packages");
    }

    private static string NativeFolder(string packages, string id, string version) =>
        Path.Combine(packages, id, version, "runtimes", Rid, "native");

    /// <summary>libtorch-cpu-linux-x64's native folders, newest version first (TorchSharp 0.107 pins one: 2.10.0).</summary>
    private static List<string> LibTorchPackageFolders(string packages)
    {
        string package = Path.Combine(packages, "libtorch-cpu-linux-x64");
        if (!Directory.Exists(package)) return [];
        return Directory.GetDirectories(package)
            .Select(d => (Folder: d, Version: Version.TryParse(Path.GetFileName(d), out var v) ? v : null))
            .Where(d => d.Version is not null)
            .OrderByDescending(d => d.Version)
            .Select(d => NativeFolder(packages, "libtorch-cpu-linux-x64", Path.GetFileName(d.Folder)))
            .ToList();
    }
}
