using OpenTelemetry.Exporter;

namespace AnomalyAE.Hosting;

/// <summary>
/// Export of the worker's metrics (<see cref="ScoringMeter"/>) through OpenTelemetry, section <c>AnomalyScoring:Telemetry</c>.
/// The OTLP exporter is off until its endpoint is set. Any other exporter (a Prometheus scrape endpoint, the console, …) is
/// added by the application through the <c>configureMetrics</c> hook of <c>AddAnomalyScoring</c>. These settings are read
/// when the services are registered.
/// </summary>
public sealed class TelemetryOptions
{
    /// <summary>The <c>service.name</c> resource attribute the metrics are reported under.</summary>
    public string ServiceName { get; set; } = "anomalyae-worker";

    /// <summary>Pushing metrics to an OpenTelemetry collector over OTLP.</summary>
    public OtlpExportOptions Otlp { get; set; } = new();
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
