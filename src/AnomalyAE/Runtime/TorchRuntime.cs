using TorchSharp;

namespace AnomalyAE.Runtime;

/// <summary>Loads libtorch once with a useful message when it cannot be, and sets thread counts per calling thread.</summary>
internal static class TorchRuntime
{
    private static readonly Lazy<Exception?> LoadFailure = new(TryLoad);

    [ThreadStatic] private static int _threadsOnThisThread;

    /// <summary>Throws an <see cref="InvalidOperationException"/> naming the fix when libtorch is not usable.</summary>
    public static void EnsureAvailable()
    {
        if (LoadFailure.Value is { } failure)
            throw new InvalidOperationException(Explain(failure), failure);
    }

    /// <summary>
    /// libtorch keeps its OpenMP thread count per calling thread, so it is set on every thread that trains
    /// or scores; repeated calls with the same value are free.
    /// </summary>
    public static void UseThreads(int threads)
    {
        if (_threadsOnThisThread == threads) return;
        torch.set_num_threads(threads);
        _threadsOnThisThread = threads;
    }

    public static int ResolveThreads(int? requested) => requested ?? Environment.ProcessorCount;

    private static Exception? TryLoad()
    {
        try
        {
            using var probe = torch.ones(1);
            return null;
        }
        catch (Exception e) when (e is TypeInitializationException or NotSupportedException or DllNotFoundException)
        {
            return e;
        }
    }

    private static string Explain(Exception failure)
    {
        string detail = (failure.InnerException ?? failure).Message;
        if (detail.Contains("GLIBCXX_3.4.32", StringComparison.Ordinal) || FindsGlibcxxTrace(failure))
            return "TorchSharp's native library needs GLIBCXX_3.4.32, which this system's libstdc++ lacks (Debian 12, Ubuntu 22.04). " +
                   "AnomalyAE's build step marks that need weak in the copied libLibTorchSharp.so; make sure it ran " +
                   "(it is skipped when the MSBuild property AnomalyAEWeakenGlibcxx is 'false', and it only reaches PackageReference consumers). " +
                   "Details: " + detail;
        return "TorchSharp's native backend (libtorch) could not be loaded. Add a backend package to the application, " +
               "e.g. <PackageReference Include=\"TorchSharp-cpu\" Version=\"0.107.0\" /> (or a CUDA variant). Details: " + detail;
    }

    private static bool FindsGlibcxxTrace(Exception failure)
    {
        for (var e = failure; e is not null; e = e.InnerException)
            if (e.Message.Contains("GLIBCXX", StringComparison.Ordinal)) return true;
        return false;
    }
}
