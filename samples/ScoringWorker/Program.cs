// A hosted scoring worker: Microsoft.Extensions.Hosting + Serilog, configured by appsettings.json.
// See README.md beside this file for a complete run (train a model, start the worker, drop a file).
using AnomalyAE.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Serilog;

var builder = Host.CreateApplicationBuilder(args);
builder.Services.AddSerilog(logger => logger.ReadFrom.Configuration(builder.Configuration));
builder.Services.AddAnomalyScoring(builder.Configuration);
using var host = builder.Build();
host.Run();
