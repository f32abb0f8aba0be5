using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using StackExchange.Redis;

namespace AnomalyAE.Hosting.Tests;

/// <summary>
/// A real redis-server on 127.0.0.1: the one ./test.sh started (ANOMALYAE_TEST_REDIS=host:port), or one this fixture
/// starts on a free port when the redis-server binary is installed. Null configuration when neither is available.
/// </summary>
public sealed class RedisServer : IDisposable
{
    private readonly Process? _process;

    public RedisServer()
    {
        Configuration = Environment.GetEnvironmentVariable("ANOMALYAE_TEST_REDIS");
        if (Configuration is not null || !File.Exists("/usr/bin/redis-server")) return;
        int port = FreePort();
        _process = Process.Start(new ProcessStartInfo("/usr/bin/redis-server", ["--port", port.ToString(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
        {
            RedirectStandardOutput = true,
        });
        Configuration = $"127.0.0.1:{port}";
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            try
            {
                using var connection = ConnectionMultiplexer.Connect(Configuration + ",connectTimeout=500");
                connection.GetDatabase().Ping();
                return;
            }
            catch (RedisConnectionException) when (DateTime.UtcNow < deadline)
            {
                Thread.Sleep(100);
            }
        }
    }

    public string? Configuration { get; }

    public void Dispose()
    {
        if (_process is { HasExited: false }) _process.Kill();
        _process?.Dispose();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
