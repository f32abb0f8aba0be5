using AnomalyAE.Hosting.Channels;
using AnomalyAE.Hosting.Health;
using AnomalyAE.Hosting.Models;
using AnomalyAE.Hosting.Telemetry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;

namespace AnomalyAE.Hosting;

/// <summary>Registration of the anomaly scoring worker.</summary>
public static class ServiceCollectionExtensions
{
    /// <summary>
    /// Adds the scoring worker with its options bound from <paramref name="configuration"/>'s <c>AnomalyScoring</c> section:
    /// the model store (loaded when the host starts) and its hot reloader, the record channel, metrics, liveness and
    /// readiness checks, and the OTLP exporter and health endpoint the configuration turns on. The options are validated
    /// when the host starts; a wrong setting fails start-up with an <see cref="OptionsValidationException"/> naming it.
    /// </summary>
    /// <param name="services">The host's services.</param>
    /// <param name="configuration">Configuration holding the <c>AnomalyScoring</c> section (see <see cref="ScoringOptions"/>).</param>
    public static IServiceCollection AddAnomalyScoring(this IServiceCollection services, IConfiguration configuration) =>
        services.AddAnomalyScoring(configuration, configureMetrics: null);

    /// <summary>
    /// Adds the scoring worker as <see cref="AddAnomalyScoring(IServiceCollection, IConfiguration)"/> does, and lets the
    /// application add its own OpenTelemetry exporters (or views, readers) to the meter provider that carries the worker's
    /// meter <see cref="ScoringMeter.Name"/>, e.g. a Prometheus scrape endpoint with the application's own reference to
    /// <c>OpenTelemetry.Exporter.Prometheus.HttpListener</c>:
    /// <code>services.AddAnomalyScoring(configuration, metrics =&gt; metrics.AddPrometheusHttpListener(o =&gt; o.Port = 9464));</code>
    /// </summary>
    /// <param name="services">The host's services.</param>
    /// <param name="configuration">Configuration holding the <c>AnomalyScoring</c> section (see <see cref="ScoringOptions"/>).</param>
    /// <param name="configureMetrics">Called once with the meter provider's builder, after the worker's meter and the OTLP
    /// exporter (when configured) were added; null adds nothing.</param>
    public static IServiceCollection AddAnomalyScoring(this IServiceCollection services, IConfiguration configuration, Action<MeterProviderBuilder>? configureMetrics)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var section = configuration.GetSection(ScoringOptions.Section);
        services.AddOptions<ScoringOptions>().Bind(section);
        // Served by this package up to 0.2.0. Left unanswered, the setting would silently serve nothing: name the way on.
        if (configureMetrics is null && section["Telemetry:Prometheus:Url"] is { } prometheus && !string.IsNullOrWhiteSpace(prometheus))
            services.AddSingleton<IValidateOptions<ScoringOptions>>(new RemovedSettingValidator(
                $"{ScoringOptions.Section}:Telemetry:Prometheus:Url is set ('{prometheus}'), but AnomalyAE.Hosting no longer serves a Prometheus " +
                "endpoint itself (OpenTelemetry's Prometheus exporter is a prerelease package). Add it in the application: reference " +
                "OpenTelemetry.Exporter.Prometheus.HttpListener and call AddAnomalyScoring(configuration, metrics => metrics.AddPrometheusHttpListener(…)); " +
                "or remove the setting. `anomalyae worker` still serves it."));
        var telemetry = section.GetSection(nameof(ScoringOptions.Telemetry)).Get<TelemetryOptions>() ?? new TelemetryOptions();
        return services.AddScoringServices(telemetry, configureMetrics);
    }

    /// <summary>
    /// Adds the scoring worker with options set in code (see <see cref="AddAnomalyScoring(IServiceCollection, IConfiguration)"/>
    /// for what is added). Relative paths are taken from the host's content root.
    /// </summary>
    /// <param name="services">The host's services.</param>
    /// <param name="configure">Sets the options; run once here to read <see cref="ScoringOptions.Telemetry"/> (which decides the
    /// services registered), and again when the options are first used.</param>
    public static IServiceCollection AddAnomalyScoring(this IServiceCollection services, Action<ScoringOptions> configure) =>
        services.AddAnomalyScoring(configure, configureMetrics: null);

    /// <summary>
    /// Adds the scoring worker with options set in code and the application's own OpenTelemetry exporters (see
    /// <see cref="AddAnomalyScoring(IServiceCollection, IConfiguration, Action{MeterProviderBuilder})"/>).
    /// </summary>
    /// <param name="services">The host's services.</param>
    /// <param name="configure">Sets the options (see <see cref="AddAnomalyScoring(IServiceCollection, Action{ScoringOptions})"/>).</param>
    /// <param name="configureMetrics">Called once with the meter provider's builder, after the worker's meter and the OTLP
    /// exporter (when configured) were added; null adds nothing.</param>
    public static IServiceCollection AddAnomalyScoring(this IServiceCollection services, Action<ScoringOptions> configure, Action<MeterProviderBuilder>? configureMetrics)
    {
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<ScoringOptions>().Configure(configure);
        var preview = new ScoringOptions();
        configure(preview);
        return services.AddScoringServices(preview.Telemetry, configureMetrics);
    }

    private static IServiceCollection AddScoringServices(this IServiceCollection services, TelemetryOptions telemetry, Action<MeterProviderBuilder>? configureMetrics)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<ScoringOptions>()
            .PostConfigure<IHostEnvironment>((options, environment) =>
            {
                // Relative paths are relative to the content root (the folder of the configuration file for `anomalyae worker`).
                options.ModelPath = Rooted(environment.ContentRootPath, options.ModelPath);
                options.Inbox.Directory = Rooted(environment.ContentRootPath, options.Inbox.Directory);
                options.Health.ProbeDirectory = Rooted(environment.ContentRootPath, options.Health.ProbeDirectory);
            })
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<ScoringOptions>, ScoringOptionsValidator>();

        // Exporters first, so that they observe the worker from its first batch.
        services.AddMetrics();
        services.AddScoringTelemetry(telemetry, configureMetrics);
        services.AddSingleton<ScoringMetrics>();

        services.AddSingleton<WorkerHealth>();
        services.AddHealthChecks()
            .AddCheck<LivenessCheck>(ScoringHealthChecks.Liveness, tags: [ScoringHealthChecks.LiveTag])
            .AddCheck<ReadinessCheck>(ScoringHealthChecks.Readiness, tags: [ScoringHealthChecks.ReadyTag]);

        // Hosted services start in this order: the health probes say "live, not ready" while the model loads.
        services.AddHostedService<HealthEndpoint>();
        services.AddHostedService<HealthProbeFiles>();
        services.AddSingleton<ModelStore>();
        services.AddHostedService(provider => provider.GetRequiredService<ModelStore>());
        services.AddHostedService<ModelReloader>();
        services.AddSingleton<IRecordChannelFactory, RecordChannelFactory>();
        services.AddHostedService<ScoringWorker>();
        return services;
    }

    private static string Rooted(string root, string path) =>
        string.IsNullOrWhiteSpace(path) || Path.IsPathRooted(path) ? path : Path.GetFullPath(Path.Combine(root, path));

    /// <summary>Fails start-up naming a setting this package no longer reads, and what to do instead.</summary>
    private sealed class RemovedSettingValidator(string message) : IValidateOptions<ScoringOptions>
    {
        public ValidateOptionsResult Validate(string? name, ScoringOptions options) => ValidateOptionsResult.Fail(message);
    }
}
