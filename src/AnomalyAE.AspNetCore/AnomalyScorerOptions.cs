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
}
