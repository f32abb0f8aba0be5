using static AnomalyAE.Hosting.Tests.WorkerHost;
using System.Net;
using System.Text;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Configuration;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;

namespace AnomalyAE.Hosting.Tests;

/// <summary>
/// AddAnomalyScoring(Action&lt;ScoringOptions&gt;): options set in code, validated at start with the setting named; and the
/// OTLP exporter it turns on, received by a local stand-in collector.
/// </summary>
public sealed class RegistrationTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("anomalyae-registration-").FullName;
    private readonly List<string> _logs = [];

    public RegistrationTests() => TestModels.Train(Path.Combine(_root, "model.aeml"));

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private IHost Build(Action<ScoringOptions> configure)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { ContentRootPath = _root, Args = [] });
        builder.Logging.ClearProviders().AddProvider(new ListLoggerProvider(_logs));
        builder.Services.AddAnomalyScoring(configure);
        return builder.Build();
    }

    [Fact]
    public async Task OptionsSetInCodeAreValidatedAtStartWithEachSettingNamed()
    {
        using var host = Build(o =>
        {
            o.ModelPath = "model.aeml";
            o.BatchSize = 0;
            o.IdleDelay = TimeSpan.Zero;
            o.Telemetry.Otlp.Endpoint = "collector";
        });
        var e = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        Assert.Contains("AnomalyScoring:BatchSize must be in [1, 1000000]; got 0", e.Message);
        Assert.Contains("AnomalyScoring:IdleDelay must be positive", e.Message);
        Assert.Contains("AnomalyScoring:Telemetry:Otlp:Endpoint must be an http or https URL", e.Message);
        Assert.DoesNotContain("ModelPath", e.Message);   // relative to the content root, where it exists
    }

    [Fact]
    public async Task TheConfigureMetricsHookAddsTheApplicationsExporterToTheWorkersMeterProvider()
    {
        // Any OpenTelemetry exporter the application brings (a Prometheus endpoint, the console, …); here one that keeps
        // the names of the metrics it is handed.
        var exporter = new NamesExporter();
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { ContentRootPath = _root, Args = [] });
        builder.Logging.ClearProviders().AddProvider(new ListLoggerProvider(_logs));
        builder.Services.AddAnomalyScoring(o =>
        {
            o.ModelPath = "model.aeml";
            o.Inbox.Directory = "scoring";
            o.IdleDelay = TimeSpan.FromMilliseconds(50);
        }, metrics => metrics.AddReader(new PeriodicExportingMetricReader(exporter, exportIntervalMilliseconds: 100)));
        using var host = builder.Build();
        await host.StartAsync();
        Drop(Path.Combine(_root, "scoring", "inbox"), "a.csv", TestModels.Csv(TestModels.Rows(50, seed: 5)));
        WaitFor(() => File.Exists(Path.Combine(_root, "scoring", "done", "a.csv")), "the file scored");
        WaitFor(() => exporter.Names.Contains(ScoringMeter.RecordsScored), "the exporter to receive the worker's metrics");
        await host.StopAsync();
        Assert.Contains(ScoringMeter.BatchDuration, exporter.Names);
    }

    [Fact]
    public async Task APrometheusUrlInTheConfigurationWithoutAHookFailsStartUpNamingTheWayOn()
    {
        // Served by AnomalyAE.Hosting up to 0.2.0: an application that still sets it learns at start what to do instead.
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { ContentRootPath = _root, Args = [] });
        builder.Logging.ClearProviders().AddProvider(new ListLoggerProvider(_logs));
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["AnomalyScoring:ModelPath"] = "model.aeml",
            ["AnomalyScoring:Telemetry:Prometheus:Url"] = "http://localhost:9464/metrics",
        });
        builder.Services.AddAnomalyScoring(builder.Configuration);
        using var host = builder.Build();
        var e = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        Assert.Contains("AnomalyScoring:Telemetry:Prometheus:Url is set", e.Message);
        Assert.Contains("AddPrometheusHttpListener", e.Message);
    }

    private sealed class NamesExporter : BaseExporter<Metric>
    {
        private readonly System.Collections.Concurrent.ConcurrentDictionary<string, bool> _names = new();

        public IReadOnlyCollection<string> Names => [.. _names.Keys];

        public override ExportResult Export(in Batch<Metric> batch)
        {
            foreach (var metric in batch) _names.TryAdd(metric.Name, true);
            return ExportResult.Success;
        }
    }

    [Fact]
    public async Task OptionsSetInCodeScoreAndExportOverOtlp()
    {
        // A stand-in collector: OTLP over HTTP posts protobuf, whose strings (instrument names, service name) are plain UTF-8.
        string collector = $"http://127.0.0.1:{LoopbackPort.Free()}/";
        using var listener = new HttpListener();
        listener.Prefixes.Add(collector);
        listener.Start();
        var received = Task.Run(async () =>
        {
            while (true)
            {
                var context = await listener.GetContextAsync();
                using var body = new MemoryStream();
                await context.Request.InputStream.CopyToAsync(body);
                var request = (context.Request.Url!.AbsolutePath, context.Request.ContentType, Text: Encoding.UTF8.GetString(body.ToArray()));
                context.Response.StatusCode = 200;
                context.Response.Close();
                if (request.Text.Contains(ScoringMeter.RecordsScored)) return request;
            }
        });

        using var host = Build(o =>
        {
            o.ModelPath = "model.aeml";
            o.Inbox.Directory = "scoring";
            o.IdleDelay = TimeSpan.FromMilliseconds(50);
            o.Telemetry.ServiceName = "otlp-test-worker";
            o.Telemetry.Otlp.Endpoint = collector + "v1/metrics";
            o.Telemetry.Otlp.Protocol = OtlpExportProtocol.HttpProtobuf;
            o.Telemetry.Otlp.ExportInterval = TimeSpan.FromMilliseconds(200);
        });
        await host.StartAsync();
        Drop(Path.Combine(_root, "scoring", "inbox"), "a.csv", TestModels.Csv(TestModels.Rows(120, seed: 4)));
        WaitFor(() => File.Exists(Path.Combine(_root, "scoring", "done", "a.csv")), "the file scored");
        var (path, contentType, text) = await received.WaitAsync(TimeSpan.FromSeconds(30));   // TimeoutException: no export with the scoring instruments
        await host.StopAsync();

        Assert.Equal("/v1/metrics", path);
        Assert.Equal("application/x-protobuf", contentType);
        Assert.Contains(ScoringMeter.Name, text);
        Assert.Contains(ScoringMeter.BatchDuration, text);
        Assert.Contains("otlp-test-worker", text);
        Assert.Equal(121, File.ReadAllLines(Path.Combine(_root, "scoring", "out", "a.scores.csv")).Length);
    }
}
