using AnomalyAE.Hosting.Records;

namespace AnomalyAE.Hosting.Channels;

/// <summary>
/// A source of records that is also their sink: records are read, scored, then committed — results and alerts
/// written and the input acknowledged together — so that a crash between read and commit loses nothing.
/// </summary>
internal interface IRecordChannel : IAsyncDisposable
{
    /// <summary>Up to <paramref name="maxRecords"/> records; an empty list when none are waiting.</summary>
    Task<IReadOnlyList<ScoringRecord>> ReadAsync(int maxRecords, CancellationToken cancellationToken);

    /// <summary>Writes the outcomes (scores, alerts, dead letters) and acknowledges their records.</summary>
    Task CommitAsync(IReadOnlyList<RecordOutcome> outcomes, CancellationToken cancellationToken);

    /// <summary>Records waiting or in flight, for the lag metric; null when unknown.</summary>
    Task<long?> BacklogAsync(CancellationToken cancellationToken);
}
