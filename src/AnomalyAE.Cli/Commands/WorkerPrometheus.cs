using System.Net;
using System.Net.Sockets;
using AnomalyAE.Hosting;
using Microsoft.Extensions.Configuration;
using OpenTelemetry.Metrics;

namespace AnomalyAE.Cli.Commands;

/// <summary>
/// The worker command's Prometheus scrape endpoint, <c>AnomalyScoring:Telemetry:Prometheus:Url</c>. AnomalyAE.Hosting, a
/// stable package, does not carry OpenTelemetry's Prometheus exporter (a prerelease package); the tool bundles its
/// dependencies, so it adds the exporter through Hosting's <c>configureMetrics</c> hook and keeps the setting.
/// </summary>
internal static class WorkerPrometheus
{
    public const string Setting = ScoringOptions.Section + ":Telemetry:Prometheus:Url";

    /// <summary>
    /// The hook that serves the configured URL (e.g. <c>http://localhost:9464/metrics</c>; a path of <c>/</c> serves
    /// <c>/metrics</c>), or null when the setting is empty. A value that is not an http URL is the user's to fix.
    /// </summary>
    public static Action<MeterProviderBuilder>? Hook(IConfiguration configuration)
    {
        string? value = configuration[Setting];
        if (string.IsNullOrWhiteSpace(value)) return null;
        if (!Uri.TryCreate(value, UriKind.Absolute, out var url) || url.Scheme != Uri.UriSchemeHttp)
            throw new CliException($"{Setting} must be an http URL such as http://localhost:9464/metrics; got '{value}'.");
        string path = url.AbsolutePath is "/" ? "/metrics" : url.AbsolutePath;
        return metrics => metrics.AddPrometheusHttpListener(listener =>
        {
            listener.Host = url.Host;
            listener.Port = url.Port;
            listener.ScrapeEndpointPath = path;
            // Just before the listener binds: a taken port fails start-up with the setting named as the cause of the
            // exporter's own "HttpListener could not be started".
            listener.ConfigureHttpListener = (_, _) =>
            {
                if (Problem(url) is { } problem)
                    throw new InvalidOperationException($"{Setting} {value} cannot be served: {problem}. Choose a free port.");
            };
        });
    }

    /// <summary>Why <paramref name="url"/>'s port cannot be listened on (e.g. "Address already in use (127.0.0.1:9464)"); null when it can.</summary>
    internal static string? Problem(Uri url)
    {
        try
        {
            var addresses = url.IsLoopback ? [IPAddress.Loopback] : Dns.GetHostAddresses(url.Host);
            foreach (var address in addresses)
            {
                try
                {
                    using var probe = new TcpListener(address, url.Port);
                    probe.Start();
                }
                catch (SocketException e)
                {
                    return $"{e.Message} ({address}:{url.Port})";
                }
            }
            return null;
        }
        catch (SocketException e)
        {
            return $"{url.Host}: {e.Message}";   // the host name does not resolve
        }
    }
}
