using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AnomalyAE.AspNetCore.Tests;

/// <summary>A minimal web app serving one model file through AddAnomalyScorer + MapAnomalyScoring, on an in-memory test server.</summary>
internal sealed class ScoringApp : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly List<string> _logs;

    private ScoringApp(WebApplication app, List<string> logs)
    {
        _app = app;
        _logs = logs;
        Client = app.GetTestClient();
    }

    public HttpClient Client { get; }

    internal AnomalyScorer Scorer => _app.Services.GetRequiredService<AnomalyScorer>();

    public static async Task<ScoringApp> StartAsync(string modelPath, Action<AnomalyScorerOptions>? edit = null)
    {
        var logs = new List<string>();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseTestServer();
        builder.Logging.ClearProviders().AddProvider(new ListLogger(logs));
        builder.Services.AddAnomalyScorer(options =>
        {
            options.ModelPath = modelPath;
            options.ModelReloadInterval = TimeSpan.FromMilliseconds(100);
            edit?.Invoke(options);
        });
        var app = builder.Build();
        app.MapAnomalyScoring("/score");
        try
        {
            await app.StartAsync();
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
        return new ScoringApp(app, logs);
    }

    public int Logged(string text)
    {
        lock (_logs) return _logs.Count(l => l.Contains(text));
    }

    /// <summary>Posts <paramref name="body"/> as JSON to <paramref name="path"/>; returns the status and the parsed answer.</summary>
    public async Task<(int Status, JsonNode? Body)> PostAsync(object body, string path = "/score")
    {
        using var response = await Client.PostAsJsonAsync(path, body);
        var text = await response.Content.ReadAsStringAsync();
        return ((int)response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text));
    }

    public static object Json(TestModels.Row row) => new Dictionary<string, object> { ["id"] = row.Id, ["Features"] = row.Values };

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    private sealed class ListLogger(List<string> logs) : ILoggerProvider, ILogger
    {
        public ILogger CreateLogger(string categoryName) => this;
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (logs) logs.Add($"{logLevel}: {formatter(state, exception)}");
        }
        public void Dispose() { }
    }
}

/// <summary>Reading the JSON answers.</summary>
internal static class Answers
{
    public static float Number(this JsonNode row, string name) => row[name]!.GetValue<float>();

    public static float[] Numbers(this JsonNode row, string name) => [.. row[name]!.AsArray().Select(v => v!.GetValue<float>())];
}
