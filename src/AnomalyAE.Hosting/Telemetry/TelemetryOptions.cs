using OpenTelemetry.Exporter;

namespace AnomalyAE.Hosting;

/// <summary>
/// Export of the worker's metrics (<see cref="ScoringMeter"/>) through OpenTelemetry, section <c>AnomalyScoring:Telemetry</c>.
/// Both exporters are off until their address is set. These settings are read when the services are registered.
/// </summary>
public sealed class TelemetryOptions
{
    /// <summary>The <c>service.name</c> resource attribute the metrics are reported under.</summary>
    public string ServiceName { get; set; } = "anomalyae-worker";

    /// <summary>A Prometheus scrape endpoint served by the worker.</summary>
    public PrometheusScrapeOptions Prometheus { get; set; } = new();

    /// <summary>Pushing metrics to an OpenTelemetry collector over OTLP.</summary>
    public OtlpExportOptions Otlp { get; set; } = new();

    internal bool Enabled => Prometheus.Enabled || Otlp.Enabled;
}

/// <summary>A Prometheus scrape endpoint (an <see cref="System.Net.HttpListener"/> in the worker's process).</summary>
public sealed class PrometheusScrapeOptions
{
    /// <summary>
    /// The URL Prometheus scrapes, e.g. <c>http://localhost:9464/metrics</c> (a path of <c>/</c> serves <c>/metrics</c>).
    /// The host name decides the interface listened on: <c>localhost</c> only the local machine, a machine name or address
    /// that interface. Empty (the default) serves nothing.
    /// </summary>
    public string Url { get; set; } = "";

    internal bool Enabled => !string.IsNullOrWhiteSpace(Url);

    /// <summary>The URL as an absolute http URI; null when it is not one.</summary>
    internal Uri? ParsedUrl => Uri.TryCreate(Url, UriKind.Absolute, out var uri) && uri.Scheme == Uri.UriSchemeHttp ? uri : null;

    internal string ScrapePath => ParsedUrl is { AbsolutePath: not "/" } uri ? uri.AbsolutePath : "/metrics";
}

/// <summary>Periodic export of the metrics to an OpenTelemetry collector.</summary>
public sealed class OtlpExportOptions
{
    /// <summary>
    /// The collector's address: for <see cref="OtlpExportProtocol.Grpc"/> e.g. <c>http://localhost:4317</c>, for
    /// <see cref="OtlpExportProtocol.HttpProtobuf"/> the full URL, e.g. <c>http://localhost:4318/v1/metrics</c>. Empty (the
    /// default) exports nothing.
    /// </summary>
    public string Endpoint { get; set; } = "";

    /// <summary>Transport: <c>Grpc</c> (default) or <c>HttpProtobuf</c>.</summary>
    public OtlpExportProtocol Protocol { get; set; } = OtlpExportProtocol.Grpc;

    /// <summary>Time between exports.</summary>
    public TimeSpan ExportInterval { get; set; } = TimeSpan.FromSeconds(60);

    internal bool Enabled => !string.IsNullOrWhiteSpace(Endpoint);

    internal Uri? ParsedEndpoint => Uri.TryCreate(Endpoint, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps) ? uri : null;
}
