using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using StackExchange.Redis;

namespace AnomalyAE.Hosting.Tests;

/// <summary>
/// A real 3-master Redis Cluster on 127.0.0.1: the one ./test.sh started (ANOMALYAE_TEST_REDIS_CLUSTER=host:port of a
/// node), or three cluster-enabled redis-servers this fixture starts and joins with <c>redis-cli --cluster create</c>
/// when the binaries are installed. <see cref="Configuration"/> is null, with <see cref="Missing"/> saying why, otherwise.
/// </summary>
public sealed class RedisCluster : IDisposable
{
    private readonly List<Process> _nodes = [];
    private readonly string? _folder;

    public RedisCluster()
    {
        Configuration = Environment.GetEnvironmentVariable("ANOMALYAE_TEST_REDIS_CLUSTER");
        if (Configuration is not null) return;
        if (!File.Exists("/usr/bin/redis-server") || !File.Exists("/usr/bin/redis-cli"))
        {
            Missing = "no Redis Cluster: install redis-server (with redis-cli; ./test.sh does and starts one) or set ANOMALYAE_TEST_REDIS_CLUSTER=host:port of a cluster node";
            return;
        }
        _folder = Directory.CreateTempSubdirectory("anomalyae-cluster-").FullName;
        var ports = new List<int>();
        for (int i = 0; i < 3; i++)
        {
            int port = ClusterPort(ports);
            ports.Add(port);
            _nodes.Add(Process.Start(new ProcessStartInfo("/usr/bin/redis-server",
                ["--port", port.ToString(), "--bind", "127.0.0.1", "--cluster-enabled", "yes", "--cluster-config-file", Path.Combine(_folder, $"nodes-{port}.conf"),
                 "--dir", _folder, "--save", "", "--appendonly", "no"]) { RedirectStandardOutput = true })!);
        }
        foreach (int port in ports) WaitUntil(() => Cli(port, "ping").Contains("PONG"), $"node {port} answering");
        var create = Process.Start(new ProcessStartInfo("/usr/bin/redis-cli", ["--cluster", "create", .. ports.Select(p => $"127.0.0.1:{p}"), "--cluster-replicas", "0", "--cluster-yes"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        create.StandardOutput.ReadToEnd();
        create.WaitForExit();
        foreach (int port in ports) WaitUntil(() => Cli(port, "cluster", "info").Contains("cluster_state:ok"), $"node {port} in a healthy cluster");
        Configuration = string.Join(',', ports.Select(p => $"127.0.0.1:{p}"));
    }

    public string? Configuration { get; }

    public string? Missing { get; }

    public void Dispose()
    {
        foreach (var node in _nodes)
        {
            if (!node.HasExited) node.Kill();
            node.Dispose();
        }
        if (_folder is not null) Directory.Delete(_folder, recursive: true);
    }

    private static string Cli(int port, params string[] arguments)
    {
        using var cli = Process.Start(new ProcessStartInfo("/usr/bin/redis-cli", ["-p", port.ToString(), .. arguments]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        string output = cli.StandardOutput.ReadToEnd();
        cli.WaitForExit();
        return output;
    }

    private static void WaitUntil(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Redis Cluster: timed out waiting for {what}");
            Thread.Sleep(100);
        }
    }

    /// <summary>A free port whose cluster bus port (port + 10000) is free too.</summary>
    private static int ClusterPort(List<int> taken)
    {
        while (true)
        {
            int port = Random.Shared.Next(20000, 30000);
            if (!taken.Contains(port) && Free(port) && Free(port + 10000)) return port;
        }
    }

    private static bool Free(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
