using System.ComponentModel;
using AnomalyAE.Hosting;
using AnomalyAE.Hosting.Models;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Serilog;
using Serilog.Events;
using Spectre.Console.Cli;

namespace AnomalyAE.Cli.Commands;

/// <summary>
/// anomalyae worker: hosts the scoring worker with a JSON configuration file (the AnomalyScoring and Serilog sections,
/// as in samples/ScoringWorker/appsettings.json). Environment variables override it (AnomalyScoring__BatchSize=…).
/// Stops gracefully on Ctrl+C or SIGTERM, finishing the batch in flight.
/// </summary>
internal sealed class WorkerCommand : Command<WorkerCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--config <FILE>"), Description("JSON configuration (appsettings.json format).")] public string Config { get; init; } = "";

        public override Spectre.Console.ValidationResult Validate() =>
            string.IsNullOrWhiteSpace(Config) ? Spectre.Console.ValidationResult.Error("--config FILE is required.") : Spectre.Console.ValidationResult.Success();
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        string config = Path.GetFullPath(settings.Config);
        if (!File.Exists(config)) throw new CliException($"{settings.Config}: configuration file not found.");
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { ContentRootPath = Path.GetDirectoryName(config), Args = [] });
        builder.Configuration.AddJsonFile(config, optional: false).AddEnvironmentVariables();
        // The configuration's sinks (Serilog:WriteTo) alone; a console on standard error only when it names none, so
        // that every line is written once.
        bool configuredSinks = builder.Configuration.GetSection("Serilog:WriteTo").GetChildren().Any();
        builder.Services.AddSerilog((_, logger) =>
        {
            logger.MinimumLevel.Information().ReadFrom.Configuration(builder.Configuration);
            if (!configuredSinks)
                logger.WriteTo.Console(standardErrorFromLevel: LogEventLevel.Verbose, outputTemplate: "[{Timestamp:HH:mm:ss} {Level:u3}] {Message:lj}{NewLine}{Exception}");
        });
        builder.Services.AddAnomalyScoring(builder.Configuration);
        using var host = builder.Build();
        // Settings and the model file are checked before the host starts: a wrong setting or an unusable model is then one
        // line and exit code 2 (see CliErrors), not a trace that the host logs on its way down.
        _ = host.Services.GetRequiredService<IOptions<ScoringOptions>>().Value;
        _ = host.Services.GetRequiredService<ModelProvider>();
        host.Run();
        return 0;
    }
}
