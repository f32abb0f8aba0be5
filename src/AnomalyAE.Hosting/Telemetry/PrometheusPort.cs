using System.Net;
using System.Net.Sockets;

namespace AnomalyAE.Hosting.Telemetry;

/// <summary>Whether the Prometheus URL's port can be listened on, checked just before OpenTelemetry's listener binds it.</summary>
internal static class PrometheusPort
{
    /// <summary>Why <paramref name="url"/> cannot be served (e.g. "Address already in use (127.0.0.1:9464)"); null when it can.</summary>
    public static string? Problem(Uri url)
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
