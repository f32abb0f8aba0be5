using static AnomalyAE.Hosting.Tests.WorkerHost;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AnomalyAE.Hosting.Tests;

/// <summary>The worker in-process with the directory inbox: scoring, dead letters, crash-resume, hot reload, validation.</summary>
public sealed class InboxWorkerTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("anomalyae-inbox-").FullName;
    private readonly string _model;
    private readonly List<string> _logs = [];

    public InboxWorkerTests()
    {
        _model = Path.Combine(_root, "model.aeml");
        TestModels.Train(_model);
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string Folder(string name) => Path.Combine(_root, "scoring", name);

    private IHost Build(Dictionary<string, string?>? extra = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["AnomalyScoring:ModelPath"] = "model.aeml",
            ["AnomalyScoring:Inbox:Directory"] = "scoring",
            ["AnomalyScoring:BatchSize"] = "100",
            ["AnomalyScoring:IdleDelay"] = "00:00:00.050",
            ["AnomalyScoring:ModelReloadInterval"] = "00:00:00.200",
            // Files here are dropped complete: already unchanged for the settle time (2 s) when claimed, they are finished once read.
            ["AnomalyScoring:Inbox:QuietTime"] = "00:00:01",
        };
        foreach (var (key, value) in extra ?? []) settings[key] = value;
        return WorkerHost.Build(_root, _logs, settings);
    }



    [Fact]
    public async Task AlertsNameTheTopFeaturesAndOutputsUseTheModelsColumnNames()
    {
        TestModels.Train(_model, edit: o => { o.FeatureContributionsColumnName = "FeatureContributions"; o.PredictedLabelColumnName = "Flag"; });
        using var host = Build(new() { ["AnomalyScoring:AlertTopFeatures"] = "2", ["AnomalyScoring:IdField"] = "key" });
        await host.StartAsync();
        var rows = TestModels.Rows(200, seed: 9, outliers: false);
        foreach (var row in rows.Take(100)) row.Values[5] += 3f; // x5 alone leaves the manifold in the first half
        Drop(Folder("inbox"), "explained.csv", TestModels.Csv(rows).Replace("id,", "key,"));
        WaitFor(() => File.Exists(Path.Combine(Folder("done"), "explained.csv")), "the file done");
        await host.StopAsync();

        var scores = File.ReadAllLines(Path.Combine(Folder("out"), "explained.scores.csv"));
        Assert.Equal("key,Score,Flag", scores[0]);
        Assert.Equal(201, scores.Length);
        var alerts = File.ReadAllLines(Path.Combine(Folder("out"), "explained.alerts.csv"));
        Assert.Equal("key,Score,Flag,top1_feature,top1_share,top2_feature,top2_share", alerts[0]);
        var cells = alerts.Skip(1).Select(l => l.Split(',')).ToList();
        Assert.InRange(cells.Count, 90, 110);
        Assert.All(cells, c => Assert.Equal(("true", 7), (c[2], c.Length)));
        Assert.True(cells.Count(c => c[3] == "x5") >= 0.9 * cells.Count, $"x5 named first in {cells.Count(c => c[3] == "x5")} of {cells.Count} alerts");
        Assert.All(cells, c => Assert.True(float.Parse(c[4], System.Globalization.CultureInfo.InvariantCulture) >= float.Parse(c[6], System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Fact]
    public async Task ScoresCsvAndJsonLinesFilesAndDeadLettersMalformedRows()
    {
        using var host = Build();
        await host.StartAsync();
        var rows = TestModels.Rows(400, seed: 5);
        var csv = TestModels.Csv(rows).Replace($"\n{rows[10].Id},{rows[10].Values[0].ToString("R", System.Globalization.CultureInfo.InvariantCulture)}", $"\n{rows[10].Id},oops");
        Drop(Folder("inbox"), "batch1.csv", csv + "ragged,1,2\n");
        var jsonRows = TestModels.Rows(50, seed: 6, prefix: "j");
        var json = string.Concat(jsonRows.Select(r => JsonSerializer.Serialize(TestModels.FeatureNames.Select((n, i) => (n, r.Values[i])).ToDictionary(p => p.n, p => (object)p.Item2).Append(new("id", r.Id)).ToDictionary()) + "\n"));
        Drop(Folder("inbox"), "batch2.jsonl", json + "{not json\n" + "{\"id\":\"short\",\"x0\":1}\n");

        WaitFor(() => File.Exists(Path.Combine(Folder("done"), "batch1.csv")) && File.Exists(Path.Combine(Folder("done"), "batch2.jsonl")), "both files done");
        await host.StopAsync();

        var scores = File.ReadAllLines(Path.Combine(Folder("out"), "batch1.scores.csv"));
        Assert.Equal(1 + 399, scores.Length); // one malformed cell, one ragged row dead-lettered
        var flagged = File.ReadAllLines(Path.Combine(Folder("out"), "batch1.alerts.csv")).Skip(1).Select(l => l.Split(',')[0]).ToHashSet();
        var outliers = rows.Where(r => r.Outlier && r.Id != rows[10].Id).Select(r => r.Id).ToHashSet();
        Assert.True(outliers.IsSubsetOf(flagged), $"missed outliers: {string.Join(' ', outliers.Except(flagged))}");
        var errors = File.ReadAllText(Path.Combine(Folder("deadletter"), "batch1.errors.csv"));
        Assert.Contains("field 'x0' = 'oops' is not a finite number", errors);
        Assert.Contains("has 3 cells; the header has 9", errors);

        Assert.Equal(1 + 50, File.ReadAllLines(Path.Combine(Folder("out"), "batch2.scores.csv")).Length);
        var jsonErrors = File.ReadAllText(Path.Combine(Folder("deadletter"), "batch2.errors.csv"));
        Assert.Contains("not a JSON object", jsonErrors);
        Assert.Contains("field 'x1' is missing", jsonErrors);
        Assert.Empty(Directory.GetFiles(Folder("processing")));
        Assert.Empty(Directory.GetFiles(Folder("out"), "*.tmp"));
    }

    [Fact]
    public async Task AnEnsembleWithTheDefaultScoreServesInTheWorker()
    {
        TestModels.Train(_model, edit: o => { o.EnsembleSize = 4; o.ScoreKind = AutoencoderScoreKind.ReconstructionAndNeighborDistance; o.Epochs = 10; });
        using var host = Build();
        await host.StartAsync();
        var rows = TestModels.Rows(300, seed: 11);
        Drop(Folder("inbox"), "ensemble.csv", TestModels.Csv(rows));
        WaitFor(() => File.Exists(Path.Combine(Folder("done"), "ensemble.csv")), "scored file");
        await host.StopAsync();

        Assert.Equal(301, File.ReadAllLines(Path.Combine(Folder("out"), "ensemble.scores.csv")).Length);
        var flagged = File.ReadAllLines(Path.Combine(Folder("out"), "ensemble.alerts.csv")).Skip(1).Select(l => l.Split(',')[0]).ToHashSet();
        var outliers = rows.Where(r => r.Outlier).Select(r => r.Id).ToHashSet();
        Assert.True(outliers.IsSubsetOf(flagged), $"missed outliers: {string.Join(' ', outliers.Except(flagged))}");
    }

    [Fact]
    public async Task AFileLeftInProcessingByACrashIsResumed()
    {
        Drop(Folder("processing"), "interrupted.csv", TestModels.Csv(TestModels.Rows(120, seed: 7)));
        using var host = Build();
        await host.StartAsync();
        WaitFor(() => File.Exists(Path.Combine(Folder("done"), "interrupted.csv")), "resumed file");
        await host.StopAsync();
        Assert.Equal(121, File.ReadAllLines(Path.Combine(Folder("out"), "interrupted.scores.csv")).Length);
        Assert.Contains(_logs, l => l.Contains("Resuming interrupted.csv"));
    }

    [Fact]
    public async Task ANewModelIsSwappedInBetweenBatchesAndABrokenOneIsRejected()
    {
        using var host = Build();
        await host.StartAsync();
        Drop(Folder("inbox"), "before.csv", TestModels.Csv(TestModels.Rows(100, seed: 8)));
        WaitFor(() => File.Exists(Path.Combine(Folder("done"), "before.csv")), "first file");

        // The same model with threshold -1: every row becomes an anomaly once it serves.
        string next = Path.Combine(_root, "next.aeml");
        TestModels.Train(next, threshold: -1);
        File.Move(next, _model, overwrite: true);
        WaitFor(() => _logs.Any(l => l.Contains("Swapped in the new model")), "swap");
        Drop(Folder("inbox"), "after.csv", TestModels.Csv(TestModels.Rows(100, seed: 9)));
        WaitFor(() => File.Exists(Path.Combine(Folder("done"), "after.csv")), "second file");
        Assert.Equal(101, File.ReadAllLines(Path.Combine(Folder("out"), "after.alerts.csv")).Length);

        File.WriteAllText(_model, "this is not a model");
        WaitFor(() => _logs.Any(l => l.Contains("Rejected the new model file")), "rejection");
        Drop(Folder("inbox"), "broken.csv", TestModels.Csv(TestModels.Rows(100, seed: 10)));
        WaitFor(() => File.Exists(Path.Combine(Folder("done"), "broken.csv")), "third file");
        Assert.Equal(101, File.ReadAllLines(Path.Combine(Folder("out"), "broken.scores.csv")).Length);
        Assert.Equal(101, File.ReadAllLines(Path.Combine(Folder("out"), "broken.alerts.csv")).Length); // still the swapped-in model

        var health = await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();
        Assert.Equal(HealthStatus.Healthy, health.Status);
        await host.StopAsync();
    }

    [Fact]
    public async Task InvalidOptionsStopStartUpWithTheSettingNamed()
    {
        using var host = Build(new() { ["AnomalyScoring:BatchSize"] = "0", ["AnomalyScoring:ModelPath"] = "missing.aeml" });
        var e = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        Assert.Contains("AnomalyScoring:BatchSize", e.Message);
        Assert.Contains("missing.aeml", e.Message);
    }
}

internal sealed class ListLoggerProvider(List<string> lines) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new ListLogger(lines);
    public void Dispose() { }

    private sealed class ListLogger(List<string> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (lines) lines.Add($"{logLevel}: {formatter(state, exception)}");
        }
    }
}
