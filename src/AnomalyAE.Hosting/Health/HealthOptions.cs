namespace AnomalyAE.Hosting;

/// <summary>Health probes for orchestrators, section <c>AnomalyScoring:Health</c>: an HTTP endpoint and/or probe files, both off by default.</summary>
public sealed class HealthOptions
{
    /// <summary>
    /// Base address of an HTTP endpoint on the loopback interface serving <see cref="ScoringHealthChecks.LivePath"/> and
    /// <see cref="ScoringHealthChecks.ReadyPath"/>, e.g. <c>http://127.0.0.1:8081/</c>, for probes run inside the machine or pod
    /// (an exec probe such as <c>curl -f http://127.0.0.1:8081/health/ready</c>, or a sidecar). Empty (the default) serves nothing.
    /// </summary>
    public string Url { get; set; } = "";

    /// <summary>
    /// A folder where the worker keeps the files <c>live</c> and <c>ready</c>, rewritten every <see cref="ProbeInterval"/>
    /// while the check passes and deleted when it fails or the worker stops: probe readiness with <c>test -f DIR/ready</c>,
    /// and liveness by checking that <c>DIR/live</c> was modified within the last few intervals (a hung process stops
    /// updating it).
    /// Relative to the content root. Empty (the default) writes nothing.
    /// </summary>
    public string ProbeDirectory { get; set; } = "";

    /// <summary>How often the probe files are updated.</summary>
    public TimeSpan ProbeInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Longest time without a turn of the scoring loop before liveness fails.</summary>
    public TimeSpan StallAfter { get; set; } = TimeSpan.FromMinutes(2);

    internal bool Enabled => !string.IsNullOrWhiteSpace(Url);

    internal bool ProbeFilesEnabled => !string.IsNullOrWhiteSpace(ProbeDirectory);

    /// <summary>The URL when it is an http URL on loopback with no path; null otherwise.</summary>
    internal Uri? ParsedUrl => Uri.TryCreate(Url, UriKind.Absolute, out var uri) && uri.Scheme == Uri.UriSchemeHttp && uri.IsLoopback
        && uri.AbsolutePath == "/" && uri.Query.Length == 0 ? uri : null;
}
