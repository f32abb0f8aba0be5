using Microsoft.Extensions.Logging;

namespace AnomalyAE.Hosting.Channels.Inbox;

/// <summary>
/// This worker's claim on its folder <c>processing/WORKER/</c>: the file <c>.lease</c> in it is rewritten every third of
/// <see cref="InboxOptions.LeaseTimeout"/>. Another worker takes the folder's files over only once the lease has not
/// changed for a whole LeaseTimeout on its own clock (this worker killed, or its machine gone).
/// </summary>
internal sealed class WorkerLease : IDisposable
{
    /// <summary>The lease file's name in a worker's folder.</summary>
    public const string FileName = ".lease";

    private readonly ILogger _log;
    private readonly TimeProvider _time;
    private readonly Timer _heartbeat;
    private readonly object _beatLock = new();
    private bool _stopped;

    /// <summary>Picks this worker's id, creates its folder and starts renewing the lease.</summary>
    public WorkerLease(InboxFolders folders, TimeSpan timeout, ILogger log, TimeProvider time)
    {
        _log = log;
        _time = time;
        WorkerId = $"{Safe(Environment.MachineName)}-{Environment.ProcessId}-{Guid.NewGuid():N}"[..^24];
        Folder = Path.Combine(folders.Processing, WorkerId);
        Beat();
        var period = timeout / 3;
        _heartbeat = new Timer(_ => Beat(), null, period, period);
    }

    /// <summary>This worker's id: MACHINE-PID-RANDOM, the name of its folder under processing/.</summary>
    public string WorkerId { get; }

    /// <summary>processing/WORKER/, where this worker keeps the files it claimed.</summary>
    public string Folder { get; }

    /// <summary>Stops renewing the lease (the caller releases the folder's files and removes it).</summary>
    public void Dispose()
    {
        lock (_beatLock)
        {
            if (_stopped) return;
            _stopped = true;
        }
        _heartbeat.Dispose();
    }

    private void Beat()
    {
        lock (_beatLock)
        {
            if (_stopped) return;
            try
            {
                Directory.CreateDirectory(Folder);
                File.WriteAllText(Path.Combine(Folder, FileName),
                    $"worker {WorkerId} on {Environment.MachineName}, process {Environment.ProcessId}, alive at {_time.GetUtcNow():O}\n");
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                _log.LogWarning(e, "Could not renew the lease of processing/{Worker}", WorkerId);
            }
        }
    }

    private static string Safe(string text) => new([.. text.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '_')]);
}
