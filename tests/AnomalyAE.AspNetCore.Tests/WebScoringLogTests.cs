using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace AnomalyAE.AspNetCore.Tests;

/// <summary>
/// samples/WebScoring as `dotnet run` starts it (its own process, its appsettings.json): it says where it listens, and every
/// log line names its source, the start-up training's included.
/// </summary>
public sealed class WebScoringLogTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("anomalyae-weblog-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void TheSampleLogsTheAddressItListensOnAndASourceOnEveryLine()
    {
        int port;
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }
        string address = $"http://127.0.0.1:{port}";
        // The content root is the current folder, as under `dotnet run --project samples/WebScoring`.
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "WebScoring.dll"), "--urls", address,
            "--AnomalyScorer:ModelPath", Path.Combine(_folder, "model.aeml")])
        {
            WorkingDirectory = Path.Combine(Repository.Root, "samples", "WebScoring"),
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        var lines = new ConcurrentQueue<string>();
        using var process = Process.Start(start)!;
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lines.Enqueue(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lines.Enqueue(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            var clock = Stopwatch.StartNew();
            while (!lines.Any(l => l.Contains($"Now listening on: {address}", StringComparison.Ordinal)))
            {
                // Generous: the first start trains a model, which a machine shared with other builds can slow many times over.
                Assert.True(clock.Elapsed < TimeSpan.FromMinutes(6) && !process.HasExited, "no 'Now listening on' line:\n" + string.Join('\n', lines));
                Thread.Sleep(100);
            }
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
        }

        // The appsettings.json template: "[HH:mm:ss LVL] Source: message".
        var entries = lines.Where(l => l.StartsWith('[')).ToList();
        Assert.Contains(entries, l => l.Contains("] WebScoring.TelemetryModel: No model at", StringComparison.Ordinal));
        Assert.Contains(entries, l => l.Contains("] Microsoft.Hosting.Lifetime: Now listening on", StringComparison.Ordinal));
        Assert.All(entries, l => Assert.Matches(new Regex(@"^\[\d\d:\d\d:\d\d \w{3}\] [\w.]+: "), l));
    }
}
