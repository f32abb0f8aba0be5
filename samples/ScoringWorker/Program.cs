// A hosted scoring worker: Microsoft.Extensions.Hosting + Serilog, configured by appsettings.json.
// See README.md beside this file for a complete run (train a model, start the worker, drop a file).
using AnomalyAE.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry.Metrics;
using Serilog;
using Serilog.Events;

// A relative --contentRoot is taken from the current directory, as a shell user means it (the host alone would resolve
// it against the program's bin folder). appsettings.json, the model and the inbox are found under the content root.
var settings = new HostApplicationBuilderSettings { Args = args };
if (new ConfigurationBuilder().AddCommandLine(args).Build()[HostDefaults.ContentRootKey] is { Length: > 0 } contentRoot)
    settings.ContentRootPath = Path.GetFullPath(contentRoot);

var builder = Host.CreateApplicationBuilder(settings);
// The Serilog section of the configuration; without one (e.g. a published app started where no appsettings.json is),
// the console, so that the worker never scores in silence.
builder.Services.AddSerilog(logger =>
{
    if (builder.Configuration.GetSection("Serilog").Exists()) logger.ReadFrom.Configuration(builder.Configuration);
    else logger.MinimumLevel.Information()
        .MinimumLevel.Override("Microsoft", LogEventLevel.Warning)
        .MinimumLevel.Override("Microsoft.Hosting.Lifetime", LogEventLevel.Information)
        .WriteTo.Console(outputTemplate: "[{Timestamp:HH:mm:ss} {Level:u3}] {SourceContext}: {Message:lj}{NewLine}{Exception}");
});

// AnomalyAE.Hosting exports over OTLP itself (AnomalyScoring:Telemetry:Otlp); any other exporter is the application's.
// This one serves a Prometheus scrape endpoint at AnomalyScoring:Telemetry:Prometheus:Url, as `anomalyae worker` does.
string? prometheus = builder.Configuration["AnomalyScoring:Telemetry:Prometheus:Url"];
builder.Services.AddAnomalyScoring(builder.Configuration, metrics =>
{
    if (string.IsNullOrWhiteSpace(prometheus)) return;
    var url = new Uri(prometheus);
    metrics.AddPrometheusHttpListener(listener =>
    {
        listener.Host = url.Host;
        listener.Port = url.Port;
        listener.ScrapeEndpointPath = url.AbsolutePath;
    });
});
using var host = builder.Build();
await host.RunAsync();
