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
    public void ChannelReached() => Turned(ref _channelProblem, null);

    /// <summary>Opening or reading the channel failed; the loop retries.</summary>
    public void ChannelFailed(string problem) => Turned(ref _channelProblem, problem);

    /// <summary>A batch (possibly empty) was scored and committed.</summary>
    public void Progressed(int records) => Turned(ref _batchProblem, null, records);

    /// <summary>Scoring or committing a batch failed; it is retried.</summary>
    public void BatchFailed(string problem) => Turned(ref _batchProblem, problem);

    public (DateTimeOffset LastTurn, TimeSpan Since, string? ChannelProblem, string? BatchProblem, long RecordsScored) Read()
    {
        lock (_gate) return (_lastTurn, time.GetUtcNow() - _lastTurn, _channelProblem, _batchProblem, _recordsScored);
    }

    /// <summary>Notes a turn of the loop that left <paramref name="problemField"/> at <paramref name="problem"/> (null: none) and scored <paramref name="records"/>.</summary>
    private void Turned(ref string? problemField, string? problem, int records = 0)
    {
        lock (_gate)
        {
            problemField = problem;
            _recordsScored += records;
            _lastTurn = time.GetUtcNow();
        }
    }
}
