using System.ComponentModel;
using AnomalyAE.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Serilog;
using Spectre.Console.Cli;

namespace AnomalyAE.Cli.Commands;

/// <summary>
/// anomalyae worker: hosts the scoring worker with a JSON configuration file (the AnomalyScoring and Serilog sections,
/// as in samples/ScoringWorker/appsettings.json). Environment variables override it (AnomalyScoring__BatchSize=…).
/// Logging is configured only by the Serilog section (Serilog.Settings.Configuration); without one, by the defaults
/// shipped in WorkerDefaults.json (the console, on standard error). AnomalyScoring:Telemetry:Prometheus:Url serves a scrape
/// endpoint (<see cref="WorkerPrometheus"/>). Stops gracefully on Ctrl+C or SIGTERM, finishing the
/// batch in flight.
/// </summary>
internal sealed class WorkerCommand : AsyncCommand<WorkerCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--config <FILE>"), Description("JSON configuration (appsettings.json format).")] public string Config { get; init; } = "";

        public override Spectre.Console.ValidationResult Validate() =>
            string.IsNullOrWhiteSpace(Config) ? Spectre.Console.ValidationResult.Error("--config FILE is required.") : Spectre.Console.ValidationResult.Success();
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        string config = Path.GetFullPath(settings.Config);
        if (!File.Exists(config)) throw new CliException($"{settings.Config}: configuration file not found.");
        // No default sources: the given file and the environment are the whole configuration (the defaults would also read
        // an appsettings.json that happens to sit next to it).
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { ContentRootPath = Path.GetDirectoryName(config), Args = [], DisableDefaults = true });
        builder.Configuration.AddJsonFile(config, optional: false).AddEnvironmentVariables();
        // The whole Serilog section comes from one place: merging the defaults' sinks into the user's would mix their
        // arguments (configuration arrays merge by index).
        var logging = builder.Configuration.GetSection("Serilog").Exists() ? builder.Configuration : ShippedDefaults();
        builder.Services.AddSerilog((_, logger) => logger.ReadFrom.Configuration(logging));
        builder.Services.AddAnomalyScoring(builder.Configuration, WorkerPrometheus.Hook(builder.Configuration));
        using var host = builder.Build();
        // Settings are checked before the host starts: a wrong one is then one line and exit code 2 (see CliErrors), not a
        // trace that the host logs on its way down. The model loads as the host starts.
        _ = host.Services.GetRequiredService<IOptions<ScoringOptions>>().Value;
        await host.RunAsync(cancellationToken);
        return 0;
    }

    private static IConfiguration ShippedDefaults()
    {
        using var defaults = typeof(WorkerCommand).Assembly.GetManifestResourceStream("WorkerDefaults.json")
            ?? throw new InvalidOperationException("The tool's WorkerDefaults.json resource is missing; reinstall anomalyae.");
        return new ConfigurationBuilder().AddJsonStream(defaults).Build();
    }
}
