using Microsoft.ML;

namespace AnomalyAE.AspNetCore.Tests;

/// <summary>An exported ONNX model served through the same endpoint: the .aeml model's numbers, scored by ONNX Runtime.</summary>
public sealed class OnnxServingTests(ModelFiles models) : IClassFixture<ModelFiles>
{
    [Fact]
    public async Task AnExportedOnnxModelServesTheSameScoresAsItsAemlModel()
    {
        var ml = new MLContext(seed: 1);
        string onnxPath = Path.Combine(models.Folder, $"served-{Guid.NewGuid():N}.onnx");
        var model = ml.Autoencoders().Load(models.First, out var inputSchema);
        using (model as IDisposable) ml.Autoencoders().ExportToOnnx(model, inputSchema, onnxPath);

        await using var app = await ScoringApp.StartAsync(onnxPath);
        var rows = TestModels.Rows(100, seed: 11);
        var (status, body) = await app.PostAsync(rows.Select(ScoringApp.Json));

        Assert.Equal(200, status);
        var answers = body!.AsArray().Select(r => r!).ToArray();
        var expected = TestModels.ScoreInProcess(models.First, rows);
        for (int i = 0; i < rows.Length; i++)
        {
            float want = (float)expected["AnomalyScore"][i], got = answers[i].Number("AnomalyScore");
            // The default score is standardized (median/IQR units): compared relative to its magnitude, at least one unit.
            Assert.True(Math.Abs(want - got) <= 1e-5f * Math.Max(Math.Abs(want), 1f), $"row {i}: .aeml score {want}, ONNX score {got}");
            Assert.Equal(((float[])expected["Code"][i]).Length, answers[i].Numbers("Code").Length);
        }
        var planted = Enumerable.Range(0, rows.Length).Where(i => rows[i].Outlier).ToArray();
        var top = Enumerable.Range(0, rows.Length).OrderByDescending(i => answers[i].Number("AnomalyScore")).Take(planted.Length).Order();
        Assert.Equal(planted, top);
    }
}
