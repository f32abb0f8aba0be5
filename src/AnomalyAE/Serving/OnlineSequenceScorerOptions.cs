namespace AnomalyAE;

/// <summary>
/// Options of an <see cref="OnlineSequenceScorer"/>: how many series it keeps a window for, when an idle series is forgotten,
/// when a gap in time starts a series' window again, and which of the detector's columns it computes.
/// </summary>
public sealed class OnlineSequenceScorerOptions
{
    /// <summary>
    /// Series kept at most (default 100,000). When a step of a new series arrives and this many are kept, the series seen
    /// least recently is forgotten: its next step starts a new window. Memory is about
    /// <c>MaxSeries × (WindowSize × channels + latent + 2 × channels) × 4</c> bytes plus ~200 bytes per series.
    /// </summary>
    public int MaxSeries { get; set; } = 100_000;

    /// <summary>A series with no step for this long is forgotten (checked on every call); null (the default) keeps series until <see cref="MaxSeries"/> pushes them out.</summary>
    public TimeSpan? IdleSeriesTimeout { get; set; }

    /// <summary>
    /// A step whose order value is more than this after its series' last step starts the series' window again (its
    /// <c>WindowSize</c> − 1 next steps warm up), in the order column's units: numbers as they are, DateTime and
    /// DateTimeOffset in seconds. Null (the default): no limit. Needs a numeric or time order column.
    /// </summary>
    public double? MaxGap { get; set; }

    /// <summary>The detector's columns to compute (null or empty: all it emits). Scores, labels and probabilities are always computed; ask only for the vectors you read.</summary>
    public IReadOnlyCollection<string>? OutputColumnNames { get; set; }

    internal void Validate()
    {
        Rules.ForOptions.Range(nameof(MaxSeries), MaxSeries, 1, 100_000_000);
        if (IdleSeriesTimeout is { } idle && idle <= TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(IdleSeriesTimeout), idle, "IdleSeriesTimeout must be positive (or null to keep idle series until MaxSeries pushes them out).");
        if (MaxGap is { } gap && !(gap > 0 && double.IsFinite(gap)))
            throw new ArgumentOutOfRangeException(nameof(MaxGap), gap, "MaxGap must be a positive finite number of order-column units (seconds for a time column), or null for no limit.");
    }
}
