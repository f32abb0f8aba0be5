using System.Net;
using System.Net.Sockets;

namespace AnomalyAE.Hosting.Tests;

internal static class LoopbackPort
{
    /// <summary>A TCP port on 127.0.0.1 that nothing listens on (at the time of the call).</summary>
    public static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
