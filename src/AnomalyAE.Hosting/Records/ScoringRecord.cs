namespace AnomalyAE.Hosting.Records;

/// <summary>A record to score: its id and its fields as text (as they arrive from CSV, JSON lines or Redis).</summary>
/// <param name="Id">Dedupe key, from the configured id field (or generated from the position when absent).</param>
/// <param name="Fields">Field name → value.</param>
/// <param name="Receipt">What the channel needs to acknowledge the record (file position, stream entry id).</param>
/// <param name="Problem">Why the record is unusable before scoring (unparsable line, too many deliveries); null when fine.</param>
internal sealed record ScoringRecord(string Id, IReadOnlyDictionary<string, string> Fields, string Receipt, string? Problem = null);

/// <summary>What became of a record: a score, or a reason it could not be scored.</summary>
internal sealed record RecordOutcome(ScoringRecord Record, float Score, bool IsAnomaly, string? Error)
{
    /// <summary>True when the record was scored.</summary>
    public bool Scored => Error is null;
}
