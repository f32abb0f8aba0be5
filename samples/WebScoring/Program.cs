// A web app that serves an anomaly-scoring model at POST /score (AnomalyAE.AspNetCore). Without a model file at
// AnomalyScorer:ModelPath it first trains one on the bundled telemetry. See README.md beside this file for curl commands.
using AnomalyAE.AspNetCore;
using Serilog;
using WebScoring;

// A relative --contentRoot is taken from the current directory, as a shell user means it. appsettings.json and the
// model are found under the content root.
var options = new WebApplicationOptions { Args = args };
if (new ConfigurationBuilder().AddCommandLine(args).Build()[HostDefaults.ContentRootKey] is { Length: > 0 } contentRoot)
    options = new WebApplicationOptions { Args = args, ContentRootPath = Path.GetFullPath(contentRoot) };
var builder = WebApplication.CreateBuilder(options);
builder.Services.AddSerilog(logger => logger.ReadFrom.Configuration(builder.Configuration));

string modelPath = Path.GetFullPath(builder.Configuration["AnomalyScorer:ModelPath"] ?? "model.aeml", builder.Environment.ContentRootPath);
if (!File.Exists(modelPath))
{
    using var log = new LoggerConfiguration().ReadFrom.Configuration(builder.Configuration).CreateLogger();
    TelemetryModel.Train(Path.Combine(AppContext.BaseDirectory, "data", "telemetry-train.csv"), modelPath, log);
}

builder.Services.AddAnomalyScorer(scorer => builder.Configuration.GetSection("AnomalyScorer").Bind(scorer));
var app = builder.Build();
app.MapAnomalyScoring("/score");
app.Run();

/// <summary>The app's entry point, public for <c>WebApplicationFactory&lt;Program&gt;</c> in the tests.</summary>
public partial class Program;
