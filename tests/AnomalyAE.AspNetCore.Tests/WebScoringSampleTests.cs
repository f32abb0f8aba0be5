using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace AnomalyAE.AspNetCore.Tests;

/// <summary>
/// The sample web app (samples/WebScoring) through WebApplicationFactory: with no model file it trains one on its bundled
/// telemetry at start-up, then scores the telemetry with planted sensor faults, flagging the faults, and answers the
/// request files its README posts.
/// </summary>
public sealed class WebScoringSampleTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("anomalyae-websample-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task TrainsAtFirstStartAndRanksTheFaultyTelemetryOnTop()
    {
        string model = Path.Combine(_folder, "model.aeml");
        await using var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(web => web.UseSetting("AnomalyScorer:ModelPath", model));
        using var client = factory.CreateClient();
        Assert.True(File.Exists(model), "the sample trained and saved a model at start-up");

        string sample = Path.Combine(Repository.Root, "samples", "WebScoring");
        var lines = File.ReadAllLines(Path.Combine(Repository.Root, "samples", "ScoringWorker", "data", "telemetry-new.csv"));
        var header = lines[0].Split(',');
        var rows = lines.Skip(1).Select(line => line.Split(',')).ToArray();
        var body = rows.Select(cells => header.Zip(cells).Where(p => p.First != "label")
            .ToDictionary(p => p.First, p => p.First == "id" ? (object)p.Second : float.Parse(p.Second, CultureInfo.InvariantCulture)));
        using var response = await client.PostAsJsonAsync("/score", body);
        Assert.Equal(200, (int)response.StatusCode);
        var answers = JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsArray();
        var faulty = rows.Select(cells => cells[^1] == "1").ToArray();
        var scores = answers.Select(a => a!.Number("Score")).ToArray();

        // Every faulty row scores above at least 95 % of the normal ones, and most faults are flagged.
        // The faults rank above nearly every normal row (ROC AUC), most are flagged, and few normal rows are.
        var normal = scores.Where((_, i) => !faulty[i]).ToArray();
        var faults = scores.Where((_, i) => faulty[i]).ToArray();
        double auc = faults.Sum(f => normal.Count(n => n < f)) / (double)(faults.Length * normal.Length);
        Assert.True(auc >= 0.95, $"ROC AUC {auc:F3}");
        var flagged = answers.Select(a => a!["PredictedLabel"]!.GetValue<bool>()).ToArray();
        Assert.True(flagged.Where((_, i) => faulty[i]).Count(f => f) >= 0.8 * faults.Length, "at least 80 % of the faults flagged");
        Assert.True(flagged.Where((_, i) => !faulty[i]).Count(f => f) <= 0.03 * normal.Length, "at most 3 % of the normal rows flagged");
        Assert.Equal(8, answers[0]!.Numbers("FeatureContributions").Length);

        // The README's request files.
        foreach (var file in new[] { "one-row.json", "rows.json" })
        {
            using var content = new StringContent(File.ReadAllText(Path.Combine(sample, "requests", file)), System.Text.Encoding.UTF8, "application/json");
            using var answer = await client.PostAsync("/score", content);
            Assert.Equal(200, (int)answer.StatusCode);
        }
    }
}

internal static class Repository
{
    public static string Root { get; } = Find(AppContext.BaseDirectory);

    private static string Find(string folder) =>
        File.Exists(Path.Combine(folder, "AnomalyAE.sln")) ? folder : Find(Path.GetDirectoryName(folder) ?? throw new DirectoryNotFoundException("AnomalyAE.sln not found above the test folder."));
}
