// A web app that serves an anomaly-scoring model at POST /score (AnomalyAE.AspNetCore). Without a model file at
// AnomalyScorer:ModelPath it first trains one on the bundled telemetry. See README.md beside this file for curl commands.
using AnomalyAE.AspNetCore;
using Serilog;
using WebScoring;

// appsettings.json and a relative model path are found under the content root: the project folder under `dotnet run`.
var builder = WebApplication.CreateBuilder(args);
builder.Services.AddSerilog(logger => logger.ReadFrom.Configuration(builder.Configuration));

string modelPath = Path.GetFullPath(builder.Configuration["AnomalyScorer:ModelPath"] ?? "model.aeml", builder.Environment.ContentRootPath);
if (!File.Exists(modelPath))
{
    using var log = new LoggerConfiguration().ReadFrom.Configuration(builder.Configuration).CreateLogger();
    TelemetryModel.Train(Path.Combine(AppContext.BaseDirectory, "data", "telemetry-train.csv"), modelPath, log.ForContext(typeof(TelemetryModel)));
}

builder.Services.AddAnomalyScorer(scorer => builder.Configuration.GetSection("AnomalyScorer").Bind(scorer));
var app = builder.Build();
app.MapAnomalyScoring("/score");
app.Run();

/// <summary>The app's entry point, public for <c>WebApplicationFactory&lt;Program&gt;</c> in the tests.</summary>
public partial class Program;
