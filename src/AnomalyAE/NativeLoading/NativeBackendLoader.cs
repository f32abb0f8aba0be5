using System.Reflection;
using System.Runtime.InteropServices;
using AnomalyAE.Build;

namespace AnomalyAE.NativeLoading;

/// <summary>
/// Makes TorchSharp 0.107's native library load on Linux distributions whose libstdc++ lacks GLIBCXX_3.4.32 (Debian 12,
/// Ubuntu 22.04) when the build step of <c>buildTransitive/AnomalyAE.targets</c> did not run, e.g. for an application that
/// references the library by ProjectReference from outside this repository, or a file-based app (<c>dotnet run app.cs</c>).
/// </summary>
/// <remarks>
/// Before TorchSharp's first call: when libLibTorchSharp.so fails to load only because of that symbol version, a copy
/// with that one need marked weak (the build step's edit, <see cref="ElfVersionNeeds"/>) is written to a per-user cache
/// (<see cref="HashNamedFileCache"/>) and loaded, after libtorch itself is loaded from its own folder so that the
/// copy's DT_NEEDED entries resolve by soname. TorchSharp then finds it: its own load by name ends in
/// <c>dlopen("libLibTorchSharp.so")</c>, which the loader answers with the loaded copy of that soname, and a
/// <see cref="NativeLibrary.SetDllImportResolver"/> on TorchSharp's assembly hands the same handle to its P/Invokes.
/// Turned off by the environment variable <c>ANOMALYAE_NATIVE_FIX=0</c> or the AppContext switch
/// <c>AnomalyAE.DisableNativeLibraryFix</c>; it writes nothing to the console or logs.
/// </remarks>
internal static class NativeBackendLoader
{
    public const string DisableVariable = "ANOMALYAE_NATIVE_FIX";
    public const string DisableSwitch = "AnomalyAE.DisableNativeLibraryFix";
    private const string NeededVersion = "GLIBCXX_3.4.32";
    private const string LibraryName = "LibTorchSharp";

    private static IntPtr _patchedHandle;

    /// <summary>What turns the fix off, or null when it is on.</summary>
    public static string? DisabledBy()
    {
        if (Environment.GetEnvironmentVariable(DisableVariable) is { } value
            && (value.Trim() == "0" || value.Trim().Equals("false", StringComparison.OrdinalIgnoreCase)))
            return $"the environment variable {DisableVariable}={value}";
        if (AppContext.TryGetSwitch(DisableSwitch, out bool disabled) && disabled)
            return $"the AppContext switch {DisableSwitch}";
        return null;
    }

    /// <summary>
    /// Checks that TorchSharp's native library loads and, when <paramref name="applyFix"/> is true and it fails only on
    /// GLIBCXX_3.4.32, loads a patched copy. With <paramref name="applyFix"/> false it only diagnoses.
    /// </summary>
    public static NativeLoadReport Prepare(Assembly torchSharp, bool applyFix)
    {
        if (!OperatingSystem.IsLinux() || RuntimeInformation.ProcessArchitecture != Architecture.X64)
            return new NativeLoadReport { Outcome = NativeFixOutcome.NotApplicable };
        var notApplied = applyFix ? null : DisabledBy() ?? "the caller";
        try
        {
            return Prepare(torchSharp, applyFix, notApplied);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Whatever goes wrong here must not keep TorchSharp from its own attempt; the message reports it.
            return new NativeLoadReport { Outcome = NativeFixOutcome.FixFailed, DisabledBy = notApplied, FixError = e.Message };
        }
    }

    private static NativeLoadReport Prepare(Assembly torchSharp, bool applyFix, string? disabledBy)
    {
        // What TorchSharp tries first: when that works there is nothing to fix and nothing more to load.
        if (NativeLibrary.TryLoad(LibraryName, torchSharp, null, out _))
            return new NativeLoadReport { Outcome = NativeFixOutcome.LoadsAsIs, DisabledBy = disabledBy };

        var files = TorchSharpNativeFiles.Locate(torchSharp);
        var report = new NativeLoadReport
        {
            Outcome = NativeFixOutcome.NotFound, DisabledBy = disabledBy,
            LibTorchSharp = files.LibTorchSharp, LibTorchFolder = files.LibTorchFolder, SearchedFolders = files.SearchedFolders,
        };
        if (files.LibTorchFolder is { } libTorch)
            foreach (string name in TorchSharpNativeFiles.LibTorchFiles)
                if (LoadError(Path.Combine(libTorch, name)) is { } libTorchError)
                    return report with { Outcome = NativeFixOutcome.LoadFailed, LoaderError = libTorchError };
        if (files.LibTorchSharp is not { } original) return report;

        if (LoadError(original) is not { } originalError)
            return report with { Outcome = NativeFixOutcome.LoadsAsIs };
        report = report with { Outcome = NativeFixOutcome.LoadFailed, LoaderError = originalError };
        var parsed = LoaderError.Parse(originalError);
        if (parsed.Kind != LoaderErrorKind.MissingVersion || parsed.Version != NeededVersion || !applyFix) return report;

        if (HashNamedFileCache.DefaultRoot() is not { } root)
            return report with { Outcome = NativeFixOutcome.FixFailed, FixError = $"no cache folder: set {HashNamedFileCache.RootVariable} or HOME" };
        string patched = HashNamedFileCache.GetOrCreate(root, TorchSharpNativeFiles.LibTorchSharpFile, File.ReadAllBytes(original), Weakened);
        report = report with { PatchedCopy = patched };
        try
        {
            _patchedHandle = NativeLibrary.Load(patched);
        }
        catch (DllNotFoundException e)
        {
            return report with { Outcome = NativeFixOutcome.FixFailed, FixError = LoaderError.LoaderText(e.Message) };
        }
        UseForTorchSharpImports(torchSharp);
        return report with { Outcome = NativeFixOutcome.Patched };
    }

    private static byte[] Weakened(byte[] original)
    {
        var copy = (byte[])original.Clone();
        ElfVersionNeeds.Weaken(copy, NeededVersion);
        return copy;
    }

    /// <summary>Loads a library by path; the loader's text when that fails (NativeLibrary.TryLoad drops it).</summary>
    private static string? LoadError(string path)
    {
        try
        {
            NativeLibrary.Load(path);
            return null;
        }
        catch (DllNotFoundException e)
        {
            return LoaderError.LoaderText(e.Message);
        }
    }

    /// <summary>
    /// Spares each TorchSharp P/Invoke a failing load of the unpatched file before .NET falls back to the soname.
    /// Only one resolver may be set per assembly; if someone else set one, the soname fallback still works.
    /// </summary>
    private static void UseForTorchSharpImports(Assembly torchSharp)
    {
        try
        {
            NativeLibrary.SetDllImportResolver(torchSharp, static (name, _, _) => name == LibraryName ? _patchedHandle : IntPtr.Zero);
        }
        catch (InvalidOperationException)
        {
        }
    }
}
