namespace AnomalyAE.Hosting.Records;

/// <summary>
/// Where a batch's records sit in their source, for a model that keeps a window per series: the scope its windows belong
/// to, and the records before the batch, from which a window lost to a restart, a reclaim, a failed commit or a model change is
/// rebuilt before the series' next record is scored.
/// </summary>
internal interface ISeriesHistory
{
    /// <summary>The windows' scope: an inbox file, a stream.</summary>
    string Scope { get; }

    /// <summary>
    /// True when a scope's batches come one after the other, each starting where the one before ended (the records of a
    /// file); false when records may come again or out of turn (a stream's redeliveries and reclaims).
    /// </summary>
    bool Contiguous { get; }

    /// <summary>True when the batch starts at its source's first record: no window of the scope is older.</summary>
    bool AtStart { get; }

    /// <summary>Record <paramref name="record"/>'s place in the source, to tell a record already taken into a window (for sources that are not contiguous).</summary>
    (long Major, long Minor) Position(int record);

    /// <summary>
    /// For sources that are not contiguous: the records after position <paramref name="after"/> and before the batch's first
    /// record — taken by other consumers when this one took neither — or null when there are more than <paramref name="limit"/>.
    /// </summary>
    Task<RecordBatch?> BetweenAsync((long Major, long Minor) after, int limit, CancellationToken cancellationToken);

    /// <summary>
    /// The records before the batch, oldest first: all of them when <paramref name="series"/> is null, else of those series
    /// only (<paramref name="seriesOf"/> names a record's series), at most <paramref name="steps"/> per series before its first record in the batch.
    /// </summary>
    IAsyncEnumerable<RecordBatch> BeforeAsync(IReadOnlySet<string>? series, Func<RecordBatch, int, string> seriesOf, int steps, CancellationToken cancellationToken);
}
