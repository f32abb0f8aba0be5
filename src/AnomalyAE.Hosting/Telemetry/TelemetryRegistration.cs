using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace AnomalyAE.Hosting.Telemetry;

/// <summary>
/// Registers OpenTelemetry's meter provider for the worker's meter with the OTLP exporter when configured and whatever the
/// application's hook adds; nothing when there is neither.
/// </summary>
internal static class TelemetryRegistration
{
    public static void AddScoringTelemetry(this IServiceCollection services, TelemetryOptions telemetry, Action<MeterProviderBuilder>? configureMetrics)
    {
        // An address that does not parse registers nothing here; the options validator names it when the host starts.
        var otlp = telemetry.Otlp.Enabled ? telemetry.Otlp.ParsedEndpoint : null;
        if (otlp is null && configureMetrics is null) return;
        services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(telemetry.ServiceName))
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(ScoringMeter.Name);
                if (otlp is not null)
                    metrics.AddOtlpExporter((exporter, reader) =>
                    {
                        exporter.Endpoint = otlp;
                        exporter.Protocol = telemetry.Otlp.Protocol;
                        reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = (int)telemetry.Otlp.ExportInterval.TotalMilliseconds;
                    });
                configureMetrics?.Invoke(metrics);
            });
    }
}
