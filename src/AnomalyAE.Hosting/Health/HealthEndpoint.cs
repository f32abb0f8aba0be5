using System.Net;
using System.Text;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AnomalyAE.Hosting.Health;

/// <summary>
/// The optional loopback HTTP endpoint (<see cref="HealthOptions.Url"/>): GET <see cref="ScoringHealthChecks.LivePath"/> and
/// <see cref="ScoringHealthChecks.ReadyPath"/> run the checks with that tag and answer 200 (healthy, degraded) or 503
/// (unhealthy) with the status and the failing checks' reasons as text. It starts before the model loads, so an
/// orchestrator sees "live, not ready" during start-up.
/// </summary>
internal sealed class HealthEndpoint(HealthCheckService checks, IOptions<ScoringOptions> options, ILogger<HealthEndpoint> log) : BackgroundService
{
    private HttpListener? _listener;

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        var health = options.Value.Health;
        if (!health.Enabled) return Task.CompletedTask;
        var url = health.ParsedUrl!;   // validated at start-up
        _listener = new HttpListener();
        _listener.Prefixes.Add($"http://{url.Authority}/");
        try
        {
            _listener.Start();
        }
        catch (HttpListenerException e)
        {
            throw new InvalidOperationException($"{ScoringOptions.Section}:Health:Url {health.Url} cannot be served: {e.Message}. Choose a free port.", e);
        }
        log.LogInformation("Health endpoint on {Url} ({Live}, {Ready})", $"http://{url.Authority}", ScoringHealthChecks.LivePath, ScoringHealthChecks.ReadyPath);
        return base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var listener = _listener!;
        // GetContextAsync takes no token: closing the listener ends the wait.
        await using var stop = stoppingToken.Register(listener.Close);
        while (!stoppingToken.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException && stoppingToken.IsCancellationRequested)
            {
                break;
            }
            try
            {
                await AnswerAsync(context, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
        }
    }

    private async Task AnswerAsync(HttpListenerContext context, CancellationToken stoppingToken)
    {
        using var response = context.Response;
        string? tag = context.Request.Url?.AbsolutePath switch
        {
            ScoringHealthChecks.LivePath => ScoringHealthChecks.LiveTag,
            ScoringHealthChecks.ReadyPath => ScoringHealthChecks.ReadyTag,
            _ => null,
        };
        string body;
        if (tag is null || context.Request.HttpMethod is not ("GET" or "HEAD"))
        {
            response.StatusCode = (int)HttpStatusCode.NotFound;
            body = $"Not found: GET {ScoringHealthChecks.LivePath} or {ScoringHealthChecks.ReadyPath}\n";
        }
        else
        {
            var report = await checks.CheckHealthAsync(check => check.Tags.Contains(tag), stoppingToken);
            response.StatusCode = report.Status == HealthStatus.Unhealthy ? (int)HttpStatusCode.ServiceUnavailable : (int)HttpStatusCode.OK;
            body = report.Status + "\n" + string.Concat(report.Entries
                .Where(e => e.Value.Status != HealthStatus.Healthy)
                .Select(e => $"{e.Key}: {e.Value.Status}: {e.Value.Description}\n"));
        }
        response.ContentType = "text/plain; charset=utf-8";
        response.Headers["Cache-Control"] = "no-store";
        byte[] bytes = Encoding.UTF8.GetBytes(body);
        response.ContentLength64 = bytes.Length;
        try
        {
            if (context.Request.HttpMethod != "HEAD") await response.OutputStream.WriteAsync(bytes, stoppingToken);
        }
        catch (Exception e) when (e is HttpListenerException or IOException or OperationCanceledException)
        {
            // The prober hung up or the host is stopping: nothing to answer to.
        }
    }

    public override void Dispose()
    {
        base.Dispose();
        (_listener as IDisposable)?.Dispose();
    }
}
