namespace AnomalyAE.AspNetCore;

/// <summary>
/// Options of the scorer that <see cref="AnomalyScorerServiceCollectionExtensions.AddAnomalyScorer"/> registers and
/// <see cref="AnomalyScoringEndpointExtensions.MapAnomalyScoring"/> serves. Checked when the host starts.
/// </summary>
public sealed class AnomalyScorerOptions
{
    /// <summary>
    /// Model file written by <c>mlContext.Autoencoders().Save</c> (or <c>anomalyae train</c>); a relative path is taken from
    /// the content root. It is loaded when the host starts and again whenever it changes.
    /// </summary>
    public string ModelPath { get; set; } = "";

    /// <summary>
    /// Base64 HMAC-SHA256 key (at least 32 bytes; see <see cref="ModelSigningKey"/>). When set, only model files signed with
    /// it are loaded, at start-up and on every reload. Set it from a secret store or the environment, not in a checked-in file.
    /// </summary>
    public string? ModelSigningKey { get; set; }

    /// <summary>
    /// The model's output columns a response row holds, by name (e.g. <c>["Score", "PredictedLabel"]</c> to leave out a
    /// 784-number reconstruction); empty for every column the model's anomaly detector emits. A model that lacks one of
    /// them is refused at start-up or reload.
    /// </summary>
    public IList<string> ResponseColumns { get; set; } = [];

    /// <summary>How often the model file is checked for a newer version.</summary>
    public TimeSpan ModelReloadInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Most rows one request may hold; a larger request gets 413 (Payload Too Large).</summary>
    public int MaxRowsPerRequest { get; set; } = 1000;

    /// <summary>Largest request body in bytes; a larger request gets 413 (Payload Too Large).</summary>
    public long MaxRequestBodyBytes { get; set; } = 8 * 1024 * 1024;

    /// <summary>
    /// For a sequence model: series whose windows this instance keeps at most (default 100,000, at most 100,000,000). A step of
    /// a new series beyond them makes the series seen least recently be forgotten: its next step warms up again. See
    /// <see cref="OnlineSequenceScorerOptions.MaxSeries"/> for the memory it takes.
    /// </summary>
    public int MaxSeries { get; set; } = 100_000;

    /// <summary>
    /// For a sequence model: a series with no step for this long is forgotten (its next step warms up again); null (the
    /// default) keeps series until <see cref="MaxSeries"/> pushes them out.
    /// </summary>
    public TimeSpan? IdleSeriesTimeout { get; set; }

    /// <summary>
    /// For a sequence model with a numeric order column: a step more than this after its series' last step starts the series'
    /// window again, in the order column's units. Null (the default): no limit. See <see cref="OnlineSequenceScorerOptions.MaxGap"/>.
    /// </summary>
    public double? MaxGap { get; set; }
}
