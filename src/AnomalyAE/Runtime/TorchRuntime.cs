using AnomalyAE.NativeLoading;
using TorchSharp;

namespace AnomalyAE.Runtime;

/// <summary>
/// Loads libtorch once (with <see cref="NativeBackendLoader"/>'s fix for older libstdc++) and with a message naming the
/// real cause when it cannot be, and sets thread counts per calling thread.
/// </summary>
internal static class TorchRuntime
{
    private static readonly Lazy<Failure?> LoadFailure = new(TryLoad);

    [ThreadStatic] private static int _threadsOnThisThread;

    /// <summary>Throws an <see cref="InvalidOperationException"/> naming the fix when libtorch is not usable.</summary>
    public static void EnsureAvailable()
    {
        if (LoadFailure.Value is { } failure)
            throw new InvalidOperationException(failure.Message, failure.Cause);
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

    private sealed record Failure(string Message, Exception Cause);

    private static Failure? TryLoad()
    {
        var torchSharp = typeof(torch).Assembly;   // typeof does not run torch's static constructor, which loads the natives
        var prepared = NativeBackendLoader.DisabledBy() is null ? NativeBackendLoader.Prepare(torchSharp, applyFix: true) : null;
        try
        {
            using var probe = torch.ones(1);
            return null;
        }
        catch (Exception e) when (e is TypeInitializationException or NotSupportedException or DllNotFoundException)
        {
            // Diagnosed only now when the fix is off: the opt-out means "do not touch the natives" while things work.
            var report = prepared ?? NativeBackendLoader.Prepare(torchSharp, applyFix: false);
            return new Failure(NativeLoadMessage.Build((e.InnerException ?? e).Message, report), e);
        }
    }
}
