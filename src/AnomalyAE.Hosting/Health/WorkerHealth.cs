namespace AnomalyAE.Hosting.Health;

/// <summary>What the worker's loop last did: the signals behind its liveness and readiness checks.</summary>
internal sealed class WorkerHealth(TimeProvider time)
{
    private readonly Lock _gate = new();
    private DateTimeOffset _lastTurn = time.GetUtcNow();
    private string? _channelProblem = "the record channel is not open yet";
    private string? _batchProblem;
    private long _recordsScored;

    public WorkerHealth() : this(TimeProvider.System)
    {
    }

    /// <summary>Records scored since start.</summary>
    public long RecordsScored
    {
        get { lock (_gate) return _recordsScored; }
    }

    /// <summary>The channel answered (opened, or a read returned): records can flow.</summary>
    public void ChannelReached()
    {
        lock (_gate)
        {
            _channelProblem = null;
            _lastTurn = time.GetUtcNow();
        }
    }

    /// <summary>Opening or reading the channel failed; the loop retries.</summary>
    public void ChannelFailed(string problem)
    {
        lock (_gate)
        {
            _channelProblem = problem;
            _lastTurn = time.GetUtcNow();
        }
    }

    /// <summary>A batch (possibly empty) was scored and committed.</summary>
    public void Progressed(int records)
    {
        lock (_gate)
        {
            _recordsScored += records;
            _batchProblem = null;
            _lastTurn = time.GetUtcNow();
        }
    }

    /// <summary>Scoring or committing a batch failed; it is retried.</summary>
    public void BatchFailed(string problem)
    {
        lock (_gate)
        {
            _batchProblem = problem;
            _lastTurn = time.GetUtcNow();
        }
    }

    public (DateTimeOffset LastTurn, TimeSpan Since, string? ChannelProblem, string? BatchProblem, long RecordsScored) Read()
    {
        lock (_gate) return (_lastTurn, time.GetUtcNow() - _lastTurn, _channelProblem, _batchProblem, _recordsScored);
    }
}
