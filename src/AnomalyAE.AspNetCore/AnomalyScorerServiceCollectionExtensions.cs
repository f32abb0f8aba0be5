using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace AnomalyAE.AspNetCore;

/// <summary>Registration of the anomaly scorer that <see cref="AnomalyScoringEndpointExtensions.MapAnomalyScoring"/> serves.</summary>
public static class AnomalyScorerServiceCollectionExtensions
{
    /// <summary>
    /// Adds a thread-safe scorer for the model file <see cref="AnomalyScorerOptions.ModelPath"/> (relative to the content
    /// root): the options are checked and the model is loaded when the host starts, and the file is reloaded when it
    /// changes (requests in flight finish on the previous model; a new file that does not load is logged and the previous
    /// model keeps serving). A sequence model's series windows live in this instance and belong to the model: a reloaded
    /// model starts with none, so every series warms up again.
    /// </summary>
    /// <example><code>
    /// builder.Services.AddAnomalyScorer(options => builder.Configuration.GetSection("AnomalyScorer").Bind(options));
    /// </code></example>
    public static IServiceCollection AddAnomalyScorer(this IServiceCollection services, Action<AnomalyScorerOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<AnomalyScorerOptions>()
            .Configure(configure)
            .PostConfigure<IHostEnvironment>((options, environment) =>
            {
                if (!string.IsNullOrWhiteSpace(options.ModelPath) && !Path.IsPathRooted(options.ModelPath))
                    options.ModelPath = Path.GetFullPath(Path.Combine(environment.ContentRootPath, options.ModelPath));
            })
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AnomalyScorerOptions>, AnomalyScorerOptionsValidator>());
        services.TryAddSingleton<AnomalyScorer>();
        services.AddHostedService(provider => provider.GetRequiredService<AnomalyScorer>());
        return services;
    }
}
