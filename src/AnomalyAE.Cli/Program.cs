// anomalyae: train, score, evaluate and plot autoencoder anomaly detectors on CSV files.
using AnomalyAE.Cli;
using AnomalyAE.Cli.Commands;
using Serilog;
using Serilog.Events;
using Spectre.Console.Cli;

// Logs go to standard error so that standard output stays clean for results (e.g. evaluate --json).
Log.Logger = new LoggerConfiguration()
    .MinimumLevel.Is(Environment.GetEnvironmentVariable("ANOMALYAE_LOG_LEVEL") is { } level && Enum.TryParse<LogEventLevel>(level, true, out var parsed) ? parsed : LogEventLevel.Information)
    .WriteTo.Console(standardErrorFromLevel: LogEventLevel.Verbose, outputTemplate: "[{Timestamp:HH:mm:ss} {Level:u3}] {Message:lj}{NewLine}{Exception}")
    .CreateLogger();
try
{
    var app = new CommandApp();
    app.Configure(config =>
    {
        config.SetApplicationName("anomalyae");
        config.PropagateExceptions();
        config.AddCommand<TrainCommand>("train").WithDescription("Train an autoencoder or VAE on the numeric columns of a CSV file and save the pipeline (normalizer included).");
        config.AddCommand<ScoreCommand>("score").WithDescription("Score a CSV file with a saved model: input columns + Score, PredictedLabel (latent/reconstruction on request).");
        config.AddCommand<EvaluateCommand>("evaluate").WithDescription("ROC AUC, average precision, detection rate at k false positives and the confusion at the threshold.");
        config.AddCommand<WorkerCommand>("worker").WithDescription("Run the background scoring worker (directory inbox or Redis Streams) configured by a JSON file.");
        config.AddCommand<PlotCommand>("plot").WithDescription("PNG plots: latent scatter, score histogram with threshold, reconstructions of images.");
    });
    return app.Run(args);
}
catch (Exception e) when (CliErrors.IsUserError(e))
{
    Log.Error("{Message}", CliErrors.Describe(e));
    return 2;
}
catch (Exception e)
{
    Log.Fatal(e, "Unexpected failure");
    return 1;
}
finally
{
    Log.CloseAndFlush();
}
