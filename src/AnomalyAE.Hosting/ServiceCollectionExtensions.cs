using AnomalyAE.Hosting.Channels;
using AnomalyAE.Hosting.Models;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace AnomalyAE.Hosting;

/// <summary>Registration of the anomaly scoring worker.</summary>
public static class ServiceCollectionExtensions
{
    /// <summary>
    /// Adds the scoring worker: options bound from <paramref name="configuration"/>'s <c>AnomalyScoring</c> section and
    /// validated at start-up, the model provider (with hot reload), the record channel, metrics and a health check.
    /// </summary>
    public static IServiceCollection AddAnomalyScoring(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ScoringOptions>()
            .Bind(configuration.GetSection(ScoringOptions.Section))
            .PostConfigure<IHostEnvironment>((options, environment) =>
            {
                // Relative paths are relative to the content root (the folder of the configuration file for `anomalyae worker`).
                options.ModelPath = Rooted(environment.ContentRootPath, options.ModelPath);
                options.Inbox.Directory = Rooted(environment.ContentRootPath, options.Inbox.Directory);
            })
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<ScoringOptions>, ScoringOptionsValidator>();
        services.AddMetrics();
        services.AddSingleton<ScoringMetrics>();
        services.AddSingleton<ScoringHealth>();
        services.AddHealthChecks().AddCheck<ScoringHealth>("anomaly-scoring");
        services.AddSingleton<IRecordChannelFactory, RecordChannelFactory>();
        services.AddSingleton<ModelProvider>();
        services.AddHostedService(provider => provider.GetRequiredService<ModelProvider>());
        services.AddHostedService<ScoringWorker>();
        return services;
    }

    private static string Rooted(string root, string path) =>
        string.IsNullOrWhiteSpace(path) || Path.IsPathRooted(path) ? path : Path.GetFullPath(Path.Combine(root, path));
}
