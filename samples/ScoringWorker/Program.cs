// A hosted scoring worker: Microsoft.Extensions.Hosting + Serilog, configured by appsettings.json.
// See README.md beside this file for a complete run (train a model, start the worker, drop a file).
using AnomalyAE.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Serilog;

// A relative --contentRoot is taken from the current directory, as a shell user means it (the host alone would resolve
// it against the program's bin folder). appsettings.json, the model and the inbox are found under the content root.
var settings = new HostApplicationBuilderSettings { Args = args };
if (new ConfigurationBuilder().AddCommandLine(args).Build()[HostDefaults.ContentRootKey] is { Length: > 0 } contentRoot)
    settings.ContentRootPath = Path.GetFullPath(contentRoot);

var builder = Host.CreateApplicationBuilder(settings);
builder.Services.AddSerilog(logger => logger.ReadFrom.Configuration(builder.Configuration));
builder.Services.AddAnomalyScoring(builder.Configuration);
using var host = builder.Build();
await host.RunAsync();
