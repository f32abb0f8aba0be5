// anomalyae: train, score, evaluate and plot autoencoder anomaly detectors on CSV files.
using AnomalyAE.Cli;
using AnomalyAE.Cli.Commands;
using Serilog;
using Serilog.Events;
using Spectre.Console.Cli;

// Logs go to standard error so that standard output stays clean for results (e.g. evaluate --json).
// Kept apart from Log.Logger, which the worker's host replaces and disposes: errors after a failed start still print.
var cliLog = new LoggerConfiguration()
    .MinimumLevel.Is(Environment.GetEnvironmentVariable("ANOMALYAE_LOG_LEVEL") is { } level && Enum.TryParse<LogEventLevel>(level, true, out var parsed) ? parsed : LogEventLevel.Information)
    .WriteTo.Console(standardErrorFromLevel: LogEventLevel.Verbose, outputTemplate: "[{Timestamp:HH:mm:ss} {Level:u3}] {Message:lj}{NewLine}{Exception}")
    .CreateLogger();
Log.Logger = cliLog;
// The commands and their settings, for the unknown-option check (Spectre's strict parsing is the backstop).
var commands = new Dictionary<string, Type>(StringComparer.Ordinal)
{
    ["train"] = typeof(TrainCommand.Settings),
    ["score"] = typeof(ScoreCommand.Settings),
    ["evaluate"] = typeof(EvaluateCommand.Settings),
    ["worker"] = typeof(WorkerCommand.Settings),
    ["plot"] = typeof(PlotCommand.Settings),
    ["export"] = typeof(ExportCommand.Settings),
};
try
{
    if (args is ["--version" or "-v"])
    {
        Console.Out.WriteLine(CliVersion.Text);
        return 0;
    }
    if (args.Length > 0 && commands.TryGetValue(args[0], out var settings)) args = [args[0], .. CommandLineCheck.Check(args[0], settings, args[1..])];
    else if (args.Length > 0 && !args[0].StartsWith('-')) throw CommandLineCheck.UnknownCommand(args[0], commands.Keys);

    var app = new CommandApp();
    app.Configure(config =>
    {
        config.SetApplicationName("anomalyae");
        config.SetApplicationVersion(CliVersion.Text);
        config.UseStrictParsing();
        config.PropagateExceptions();
        config.AddCommand<TrainCommand>("train").WithDescription("Train an autoencoder or VAE on the numeric columns of a CSV file and save the pipeline (normalizer included).");
        config.AddCommand<ScoreCommand>("score").WithDescription("Score a CSV file with a saved model: every input column, then Score, PredictedLabel and Probability (the model's names for them), then latent, reconstruction and top-feature columns on request.");
        config.AddCommand<EvaluateCommand>("evaluate").WithDescription("ROC AUC, average precision, detection rate at k false positives and the confusion at the threshold.");
        config.AddCommand<WorkerCommand>("worker").WithDescription("Run the background scoring worker (directory inbox or Redis Streams) configured by a JSON file.");
        config.AddCommand<ExportCommand>("export").WithDescription("Export a saved model (.aeml) to ONNX: score it anywhere ONNX Runtime runs, or with 'score --model m.onnx' without libtorch.");
        config.AddCommand<PlotCommand>("plot").WithDescription("PNG plots: latent scatter, score histogram with threshold, reconstructions of images.");
    });
    return await app.RunAsync(args);
}
catch (Exception e) when (CliErrors.IsUserError(e))
{
    cliLog.Error("{Message}", CliErrors.Describe(e));
    return 2;
}
catch (Exception e)
{
    cliLog.Fatal(e, "Unexpected failure");
    return 1;
}
finally
{
    Log.CloseAndFlush();
    cliLog.Dispose();
}
