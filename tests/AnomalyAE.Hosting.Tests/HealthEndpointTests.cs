using static AnomalyAE.Hosting.Tests.WorkerHost;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;

namespace AnomalyAE.Hosting.Tests;

/// <summary>
/// The loopback health endpoint and the probe files: live and ready once the model is loaded and the channel answers; live
/// but not ready while the channel is unreachable; readiness fails before the model is loaded.
/// </summary>
public sealed class HealthEndpointTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("anomalyae-health-").FullName;
    private readonly List<string> _logs = [];
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(10) };
    private readonly string _url = $"http://127.0.0.1:{LoopbackPort.Free()}";

    public HealthEndpointTests() => TestModels.Train(Path.Combine(_root, "model.aeml"));

    public void Dispose()
    {
        _http.Dispose();
        Directory.Delete(_root, recursive: true);
    }

    private IHost Build(Dictionary<string, string?>? extra = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["AnomalyScoring:ModelPath"] = "model.aeml",
            ["AnomalyScoring:Inbox:Directory"] = "scoring",
            ["AnomalyScoring:IdleDelay"] = "00:00:00.050",
            ["AnomalyScoring:Health:Url"] = _url + "/",
            ["AnomalyScoring:Health:ProbeDirectory"] = "probes",
            ["AnomalyScoring:Health:ProbeInterval"] = "00:00:00.050",
        };
        foreach (var (key, value) in extra ?? []) settings[key] = value;
        return WorkerHost.Build(_root, _logs, settings);
    }

    private string Probe(string name) => Path.Combine(_root, "probes", name);

    private async Task<(HttpStatusCode Status, string Body)> Get(string path)
    {
        using var response = await _http.GetAsync(_url + path);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private async Task<(HttpStatusCode Status, string Body)> WaitForAnswer(string path, Func<(HttpStatusCode Status, string Body), bool> wanted, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var answer = await Get(path);
            if (wanted(answer)) return answer;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"timed out waiting for {what}; last answer {answer.Status}: {answer.Body}");
            await Task.Delay(50);
        }
    }

    [Fact]
    public async Task AWorkerWithItsModelAndInboxIsLiveAndReady()
    {
        using var host = Build();
        var beforeStart = await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync(c => c.Tags.Contains(ScoringHealthChecks.ReadyTag));
        Assert.Equal(HealthStatus.Unhealthy, beforeStart.Status);
        Assert.Contains("no model is loaded", beforeStart.Entries[ScoringHealthChecks.Readiness].Description);

        await host.StartAsync();
        var ready = await WaitForAnswer(ScoringHealthChecks.ReadyPath, a => a.Status == HttpStatusCode.OK, "readiness");
        Assert.StartsWith("Healthy", ready.Body);
        var live = await Get(ScoringHealthChecks.LivePath);
        Assert.Equal(HttpStatusCode.OK, live.Status);
        Assert.StartsWith("Healthy", live.Body);
        Assert.Equal(HttpStatusCode.NotFound, (await Get("/metrics")).Status);
        WaitFor(() => File.Exists(Probe("ready")) && File.Exists(Probe("live")), "the probe files");
        Assert.StartsWith("Healthy", File.ReadAllText(Probe("ready")));

        // Still ready after scoring a file.
        Drop(Path.Combine(_root, "scoring", "inbox"), "a.csv", TestModels.Csv(TestModels.Rows(50, seed: 3)));
        WaitFor(() => File.Exists(Path.Combine(_root, "scoring", "done", "a.csv")), "the file scored");
        Assert.Equal(HttpStatusCode.OK, (await Get(ScoringHealthChecks.ReadyPath)).Status);
        await host.StopAsync();
        await Assert.ThrowsAsync<HttpRequestException>(() => Get(ScoringHealthChecks.LivePath));   // the endpoint closes with the host
        Assert.False(File.Exists(Probe("live")) || File.Exists(Probe("ready")), "a stopped worker leaves no probe file");
    }

    [Fact]
    public async Task AWorkerWhoseRedisIsUnreachableIsLiveButNotReady()
    {
        using var host = Build(new()
        {
            ["AnomalyScoring:Source"] = "Redis",
            ["AnomalyScoring:Redis:Configuration"] = $"127.0.0.1:{LoopbackPort.Free()},connectTimeout=200",
        });
        await host.StartAsync();
        var ready = await WaitForAnswer(ScoringHealthChecks.ReadyPath, a => a.Body.Contains("unreachable"), "the channel failure to show");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.Status);
        Assert.Contains(ScoringHealthChecks.Readiness, ready.Body);
        var live = await Get(ScoringHealthChecks.LivePath);
        Assert.Equal(HttpStatusCode.OK, live.Status);
        WaitFor(() => File.Exists(Probe("live")), "the live probe file");
        await Task.Delay(200);   // several probe intervals
        Assert.False(File.Exists(Probe("ready")), "an unreachable channel must not write the ready probe file");
        await host.StopAsync();
    }

    [Fact]
    public async Task AHealthUrlOffLoopbackStopsStartUpWithTheSettingNamed()
    {
        using var host = Build(new() { ["AnomalyScoring:Health:Url"] = "http://example.com:8081/" });
        var e = await Assert.ThrowsAsync<Microsoft.Extensions.Options.OptionsValidationException>(() => host.StartAsync());
        Assert.Contains("AnomalyScoring:Health:Url", e.Message);
        Assert.Contains("loopback", e.Message);
    }
}
