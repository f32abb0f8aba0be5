using AnomalyAE.Hosting.Channels;
using AnomalyAE.Hosting.Health;
using AnomalyAE.Hosting.Models;
using AnomalyAE.Hosting.Telemetry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace AnomalyAE.Hosting;

/// <summary>Registration of the anomaly scoring worker.</summary>
public static class ServiceCollectionExtensions
{
    /// <summary>
    /// Adds the scoring worker with its options bound from <paramref name="configuration"/>'s <c>AnomalyScoring</c> section:
    /// the model store (loaded when the host starts) and its hot reloader, the record channel, metrics, liveness and
    /// readiness checks, and the exporters and health endpoint the configuration turns on. The options are validated when
    /// the host starts; a wrong setting fails start-up with an <see cref="OptionsValidationException"/> naming it.
    /// </summary>
    /// <param name="services">The host's services.</param>
    /// <param name="configuration">Configuration holding the <c>AnomalyScoring</c> section (see <see cref="ScoringOptions"/>).</param>
    public static IServiceCollection AddAnomalyScoring(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var section = configuration.GetSection(ScoringOptions.Section);
        services.AddOptions<ScoringOptions>().Bind(section);
        var telemetry = section.GetSection(nameof(ScoringOptions.Telemetry)).Get<TelemetryOptions>() ?? new TelemetryOptions();
        return services.AddScoringServices(telemetry);
    }

    /// <summary>
    /// Adds the scoring worker with options set in code (see the other overload for what is added). Relative paths are
    /// taken from the host's content root.
    /// </summary>
    /// <param name="services">The host's services.</param>
    /// <param name="configure">Sets the options; run once here to read <see cref="ScoringOptions.Telemetry"/> (which decides the
    /// services registered), and again when the options are first used.</param>
    public static IServiceCollection AddAnomalyScoring(this IServiceCollection services, Action<ScoringOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<ScoringOptions>().Configure(configure);
        var preview = new ScoringOptions();
        configure(preview);
        return services.AddScoringServices(preview.Telemetry);
    }

    private static IServiceCollection AddScoringServices(this IServiceCollection services, TelemetryOptions telemetry)
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
        services.AddScoringTelemetry(telemetry);
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
}
