using AnomalyAE.Hosting.Records;

namespace AnomalyAE.Hosting.Channels;

/// <summary>
/// A source of records that is also their sink: records are read, scored, then committed — results and alerts
/// written and the input acknowledged together — so that a crash between read and commit loses nothing.
/// </summary>
internal interface IRecordChannel : IAsyncDisposable
{
    /// <summary>Up to <paramref name="maxRecords"/> records; an empty batch when none are waiting.</summary>
    Task<RecordBatch> ReadAsync(int maxRecords, CancellationToken cancellationToken);

    /// <summary>Writes the outcomes of a batch this channel read (scores, alerts, dead letters) and acknowledges its records.</summary>
    Task CommitAsync(ScoredBatch outcomes, CancellationToken cancellationToken);

    /// <summary>
    /// True when the next batch may be read and scored while the last one's commit is still running (its outcomes do not
    /// depend on that commit): the worker then keeps one commit in flight, so the server writes one batch while the worker
    /// scores the next.
    /// </summary>
    bool OverlapsCommits { get; }

    /// <summary>Records waiting or in flight, for the lag metric; null when unknown.</summary>
    Task<long?> BacklogAsync(CancellationToken cancellationToken);
}
