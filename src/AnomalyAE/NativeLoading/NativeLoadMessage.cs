namespace AnomalyAE.NativeLoading;

/// <summary>
/// Words the message of a failed libtorch initialization after what the dynamic loader actually said: a missing symbol
/// version, a missing file, a library of the wrong format, a mismatch between libraries. "Add a backend package" is said
/// only when no libtorch backend is found at all, because TorchSharp's own message says it for every failure.
/// </summary>
internal static class NativeLoadMessage
{
    private const string BackendPackage = "<PackageReference Include=\"TorchSharp-cpu\" Version=\"0.107.0\" />";

    public static string Build(string torchSharpMessage, NativeLoadReport report)
    {
        string? loaderText = report.LoaderError;
        // TorchSharp's exception carries the loader text only when its own load went through NativeLibrary.Load.
        loaderText ??= torchSharpMessage.Contains(": version `", StringComparison.Ordinal) ? torchSharpMessage : null;
        var parts = new List<string> { Cause(report, loaderText is null ? null : LoaderError.Parse(loaderText), torchSharpMessage) };
        if (loaderText is not null && report.Outcome != NativeFixOutcome.Patched) parts.Add($"The dynamic loader said: \"{LoaderError.LoaderText(loaderText)}\".");
        if (report.FixError is { } fixError && !parts[0].Contains(fixError, StringComparison.Ordinal))
            parts.Add($"AnomalyAE's run-time fix failed: {fixError.TrimEnd('.')}.");
        if (Files(report) is { } files) parts.Add(files);
        if (loaderText is null || report.Outcome == NativeFixOutcome.Patched) parts.Add("TorchSharp said: " + FirstParagraph(torchSharpMessage));
        return string.Join(" ", parts);
    }

    private static string Cause(NativeLoadReport report, LoaderError? error, string torchSharpMessage)
    {
        if (report.Outcome == NativeFixOutcome.Patched)
            return $"TorchSharp could not initialize libtorch although its native library loads (AnomalyAE loaded the patched copy {report.PatchedCopy}). " +
                   "A failed initialization of TorchSharp is permanent for the process: if TorchSharp was used before AnomalyAE's first fit or load, " +
                   "move that use after it, or let the build step patch the application's copy (see AnomalyAEWeakenGlibcxx).";
        switch (error)
        {
            case { Kind: LoaderErrorKind.MissingVersion, Version: "GLIBCXX_3.4.32" }:
                return "TorchSharp 0.107's native library (libLibTorchSharp.so, built with GCC 13) asks for GLIBCXX_3.4.32, which this system's libstdc++ " +
                       "lacks (Debian 12, Ubuntu 22.04 and RHEL 9 stop at 3.4.30). Nothing in it uses that version, and AnomalyAE marks the need weak in a copy " +
                       "at build time (MSBuild property AnomalyAEWeakenGlibcxx, for PackageReference consumers) or at run time; " + GlibcxxFixState(report);
            case { Kind: LoaderErrorKind.MissingVersion }:
                return $"{Name(error.RequiredBy) ?? "A native library of TorchSharp"} needs the symbol version {error.Version}, which this system's " +
                       $"{Name(error.Library) ?? "system library"} lacks. Unlike the one unused need AnomalyAE weakens, that cannot be patched away: it needs a " +
                       "newer system library (a newer distribution or compiler runtime) or a TorchSharp build made for this system.";
            case { Kind: LoaderErrorKind.MissingFile } when IsLibTorch(error.Library) && report.LibTorchFolder is null:
                return $"TorchSharp's native library was found ({report.LibTorchSharp}) but libtorch, which it needs ({Name(error.Library)}), is not next to " +
                       $"the application or in the NuGet packages folder: the application has no libtorch backend. Add one, e.g. {BackendPackage} (or a CUDA variant).";
            case { Kind: LoaderErrorKind.MissingFile }:
                return $"The dynamic loader could not find {Name(error.Library) ?? "a library"}, which TorchSharp's native libraries need" +
                       (report.LibTorchFolder is { } folder ? $" (libtorch itself was found in {folder})" : "") +
                       ". Install it, or restore and rebuild the application so that its native files are complete.";
            case { Kind: LoaderErrorKind.WrongFormat }:
                return $"{error.Library ?? "A native library"} exists but is not a loadable linux-x64 library (wrong architecture, or a damaged or partial file). " +
                       $"TorchSharp-cpu 0.107 ships x64 libraries only; run an x64 process (this one is {System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture}) " +
                       "and restore the packages again if the file is damaged.";
            case { Kind: LoaderErrorKind.UndefinedSymbol }:
                return "TorchSharp's native library and libtorch do not match each other (a symbol is missing): TorchSharp 0.107 needs libtorch 2.10.0, " +
                       $"i.e. the backend package of the same version, {BackendPackage}.";
            case not null:
                return "TorchSharp's native libraries could not be loaded.";
        }
        if (report.Outcome == NativeFixOutcome.NotFound && !report.FoundNativeFiles)
            return "TorchSharp's native backend (libtorch) is not installed for this application: neither libLibTorchSharp.so nor libtorch_cpu.so was " +
                   $"found next to it or in the NuGet packages folder. Add a backend package, e.g. {BackendPackage} (or a CUDA variant).";
        if (report.FoundNativeFiles || report.Outcome is NativeFixOutcome.LoadsAsIs)
            return "TorchSharp could not initialize libtorch although its native files are present" +
                   (report.LibTorchSharp is { } found ? $" ({found})" : "") + ".";
        return IsMissingBackendMessage(torchSharpMessage)
            ? $"TorchSharp's native backend (libtorch) could not be loaded. If the application has no backend package, add one, e.g. {BackendPackage}."
            : "TorchSharp could not initialize libtorch.";
    }

    private static string GlibcxxFixState(NativeLoadReport report)
    {
        if (report.DisabledBy is { } off)
            return $"the run-time fix is turned off by {off}. Remove that, let the build step patch the application's copy, or install a GCC 13+ libstdc++.";
        if (report.Outcome != NativeFixOutcome.FixFailed)
            return "neither took effect here. Let the build step patch the application's copy, or install a GCC 13+ libstdc++.";
        if (report.PatchedCopy is null)
            return $"the run-time fix could not write its copy ({report.FixError}) under {HashNamedFileCache.DefaultRoot() ?? "(no cache folder)"}. " +
                   $"Point {HashNamedFileCache.RootVariable} at a writable folder, or let the build step patch the application's copy.";
        return $"the patched copy {report.PatchedCopy} still fails to load: \"{report.FixError}\"." +
               (report.FixError is not { } e ? ""
                : LoaderError.Parse(e) is { Kind: LoaderErrorKind.MissingVersion, Version: { } v } ? $" It needs {v} as well, which only a newer system library provides."
                : e.Contains("failed to map segment", StringComparison.Ordinal) ? $" Is the cache on a noexec mount? Point {HashNamedFileCache.RootVariable} at another folder."
                : "");
    }

    private static string? Files(NativeLoadReport report) =>
        report.Outcome is NativeFixOutcome.LoadFailed or NativeFixOutcome.FixFailed && report.LibTorchSharp is not null
            ? $"TorchSharp's native library: {report.LibTorchSharp}; libtorch: {report.LibTorchFolder ?? "not found"}."
            : report.FoundNativeFiles || report.SearchedFolders.Count == 0 ? null
            : "Searched: " + string.Join(", ", report.SearchedFolders) + ".";

    private static bool IsLibTorch(string? library) =>
        Name(library) is { } name && (name.StartsWith("libtorch", StringComparison.Ordinal) || name.StartsWith("libc10", StringComparison.Ordinal));

    private static string? Name(string? library) => library is null ? null : Path.GetFileName(library);

    private static bool IsMissingBackendMessage(string message) =>
        message.Contains("doesn't contain a reference to", StringComparison.Ordinal) || message.Contains("is not restored", StringComparison.Ordinal);

    private static string FirstParagraph(string message)
    {
        int end = message.IndexOf("\n\n", StringComparison.Ordinal);
        return (end < 0 ? message : message[..end]).Trim();
    }
}
