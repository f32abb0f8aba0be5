using static AnomalyAE.Hosting.Tests.WorkerHost;
using System.Globalization;
using AnomalyAE.Onnx;
using Microsoft.Extensions.Hosting;
using Microsoft.ML;

namespace AnomalyAE.Hosting.Tests;

/// <summary>The worker with <c>ModelPath</c> an exported ONNX model: it scores through ONNX Runtime, like the .aeml it came from.</summary>
public sealed class OnnxWorkerTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("anomalyae-onnx-worker-").FullName;
    private readonly List<string> _logs = [];

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task A_worker_whose_model_is_an_onnx_file_scores_like_the_aeml()
    {
        string aeml = Path.Combine(_root, "model.aeml");
        TestModels.Train(aeml);
        var ml = new MLContext(1);
        using (var model = (IDisposable)ml.Autoencoders().Load(aeml, out var schema))
            ml.Autoencoders().ExportToOnnx((ITransformer)model, schema, Path.Combine(_root, "model.onnx"));
        using (var loaded = ml.Autoencoders().Load(Path.Combine(_root, "model.onnx"), out _) as IDisposable)
            Assert.IsType<OnnxScoringTransformer>(loaded);

        var rows = TestModels.Rows(300, seed: 5);
        var onnx = await ScoreWith("model.onnx", "onnx", rows);
        var torch = await ScoreWith("model.aeml", "aeml", rows);

        Assert.Equal(torch.Keys.Order(), onnx.Keys.Order());
        // The test model's score (reconstruction and neighbour distance, each standardized by its IQR) is compared in IQR units.
        foreach (var (id, score) in torch)
            Assert.True(Math.Abs(score - onnx[id]) <= 1e-5 * Math.Max(Math.Abs(score), 1), $"{id}: libtorch {score}, ONNX {onnx[id]}");
        var outliers = rows.Where(r => r.Outlier).Select(r => r.Id).ToHashSet();
        var flagged = File.ReadAllLines(Path.Combine(_root, "onnx", "out", "batch.alerts.csv")).Skip(1).Select(l => l.Split(',')[0]).ToHashSet();
        Assert.True(outliers.IsSubsetOf(flagged), $"missed outliers: {string.Join(' ', outliers.Except(flagged))}");
    }

    /// <summary>Runs a worker on <paramref name="model"/> over one CSV of <paramref name="rows"/>; the score of every id.</summary>
    private async Task<Dictionary<string, double>> ScoreWith(string model, string folder, TestModels.Row[] rows)
    {
        using var host = WorkerHost.Build(_root, _logs, new Dictionary<string, string?>
        {
            ["AnomalyScoring:ModelPath"] = model,
            ["AnomalyScoring:Inbox:Directory"] = folder,
            ["AnomalyScoring:BatchSize"] = "100",
            ["AnomalyScoring:IdleDelay"] = "00:00:00.050",
        });
        await host.StartAsync();
        Drop(Path.Combine(_root, folder, "inbox"), "batch.csv", TestModels.Csv(rows));
        WaitFor(() => File.Exists(Path.Combine(_root, folder, "done", "batch.csv")), $"{model} scored the batch");
        await host.StopAsync();
        var lines = File.ReadAllLines(Path.Combine(_root, folder, "out", "batch.scores.csv"));
        var header = lines[0].Split(',');
        int id = Array.IndexOf(header, "id"), score = Array.IndexOf(header, "Score"); // the model's own score column name
        Assert.True(id >= 0 && score >= 0, $"header: {lines[0]}");
        return lines.Skip(1).Select(l => l.Split(',')).ToDictionary(c => c[id], c => double.Parse(c[score], CultureInfo.InvariantCulture));
    }
}
