namespace AnomalyAE.NativeLoading;

/// <summary>What <see cref="NativeBackendLoader"/> did before TorchSharp's first call.</summary>
internal enum NativeFixOutcome
{
    /// <summary>Not Linux x64: TorchSharp loads its natives on its own.</summary>
    NotApplicable,
    /// <summary>libLibTorchSharp.so loads as it is (new enough libstdc++, or a copy patched by the build step).</summary>
    LoadsAsIs,
    /// <summary>The original failed only on GLIBCXX_3.4.32 and the patched cached copy is loaded.</summary>
    Patched,
    /// <summary>No libLibTorchSharp.so next to the application or in the NuGet packages folder.</summary>
    NotFound,
    /// <summary>A library failed to load for a reason the fix does not cover; see <see cref="NativeLoadReport.LoaderError"/>.</summary>
    LoadFailed,
    /// <summary>The original needed the fix but the patched copy could not be made or loaded; see <see cref="NativeLoadReport.FixError"/>.</summary>
    FixFailed,
}

/// <summary>
/// The native libraries TorchSharp would load, what the dynamic loader said about them and what the run-time fix did:
/// everything a load failure message needs to name the real cause.
/// </summary>
internal sealed record NativeLoadReport
{
    public required NativeFixOutcome Outcome { get; init; }

    /// <summary>What turned the fix off (the environment variable or the AppContext switch): then the report only diagnoses.</summary>
    public string? DisabledBy { get; init; }

    /// <summary>The libLibTorchSharp.so TorchSharp would load.</summary>
    public string? LibTorchSharp { get; init; }

    /// <summary>The folder holding libtorch_cpu.so (the backend), when one was found.</summary>
    public string? LibTorchFolder { get; init; }

    /// <summary>The dynamic loader's own text for the first library that failed, as <c>dlerror</c> gives it.</summary>
    public string? LoaderError { get; init; }

    /// <summary>The patched copy of libLibTorchSharp.so in the per-user cache.</summary>
    public string? PatchedCopy { get; init; }

    /// <summary>Why the patched copy could not be written or loaded.</summary>
    public string? FixError { get; init; }

    /// <summary>The folders searched for the native libraries, in order.</summary>
    public IReadOnlyList<string> SearchedFolders { get; init; } = [];

    /// <summary>True when a libtorch backend (libtorch_cpu.so) or TorchSharp's own native library was found.</summary>
    public bool FoundNativeFiles => LibTorchSharp is not null || LibTorchFolder is not null;
}
