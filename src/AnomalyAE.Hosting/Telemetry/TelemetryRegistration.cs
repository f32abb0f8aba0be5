using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace AnomalyAE.Hosting.Telemetry;

/// <summary>Registers OpenTelemetry's meter provider with the configured exporters; nothing when none is configured.</summary>
internal static class TelemetryRegistration
{
    public static void AddScoringTelemetry(this IServiceCollection services, TelemetryOptions telemetry)
    {
        // An address that does not parse registers nothing here; the options validator names it when the host starts.
        var prometheus = telemetry.Prometheus.Enabled ? telemetry.Prometheus.ParsedUrl : null;
        var otlp = telemetry.Otlp.Enabled ? telemetry.Otlp.ParsedEndpoint : null;
        if (prometheus is null && otlp is null) return;
        services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(telemetry.ServiceName))
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(ScoringMeter.Name);
                if (prometheus is not null)
                    metrics.AddPrometheusHttpListener(listener =>
                    {
                        listener.Host = prometheus.Host;
                        listener.Port = prometheus.Port;
                        listener.ScrapeEndpointPath = telemetry.Prometheus.ScrapePath;
                        // Just before the listener binds: a taken port fails start-up with the setting named as the cause of
                        // the exporter's own "HttpListener could not be started".
                        listener.ConfigureHttpListener = (_, _) =>
                        {
                            if (PrometheusPort.Problem(prometheus) is { } problem)
                                throw new InvalidOperationException($"{ScoringOptions.Section}:Telemetry:Prometheus:Url {telemetry.Prometheus.Url} cannot be served: {problem}. Choose a free port.");
                        };
                    });
                if (otlp is not null)
                    metrics.AddOtlpExporter((exporter, reader) =>
                    {
                        exporter.Endpoint = otlp;
                        exporter.Protocol = telemetry.Otlp.Protocol;
                        reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = (int)telemetry.Otlp.ExportInterval.TotalMilliseconds;
                    });
            });
    }
}
