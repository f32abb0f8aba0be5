using AnomalyAE.Hosting.Records;
using Microsoft.ML;

namespace AnomalyAE.Hosting.Tests;

/// <summary>The record scorer reads the model's own score and predicted-label column names.</summary>
public sealed class RecordScorerTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("anomalyae-scorer-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private List<RecordOutcome> Score(string path, IReadOnlyList<ScoringRecord> records)
    {
        var model = new MLContext(seed: 1).Autoencoders().Load(path, out var schema);
        using var release = model as IDisposable;
        return new RecordBatchScorer(model, schema, "id").Score(records);
    }

    [Fact]
    public void ModelWithRenamedOutputsScoresLikeTheDefaultNames()
    {
        string renamed = Path.Combine(_folder, "renamed.aeml"), plain = Path.Combine(_folder, "plain.aeml");
        TestModels.Train(renamed, edit: o => { o.ScoreColumnName = "AnomalyScore"; o.PredictedLabelColumnName = "IsAnomaly"; o.LatentFeaturesColumnName = null; o.ReconstructionColumnName = "Decoded"; });
        TestModels.Train(plain);
        var records = TestModels.Rows(200, seed: 3)
            .Select(r => new ScoringRecord(r.Id, TestModels.FeatureNames.Select((n, f) => (n, r.Values[f].ToString("R", System.Globalization.CultureInfo.InvariantCulture))).ToDictionary(p => p.n, p => p.Item2), ""))
            .ToList();

        var outcomes = Score(renamed, records);
        Assert.All(outcomes, o => Assert.True(o.Scored, o.Error));
        Assert.Equal(Score(plain, records).Select(o => (o.Score, o.IsAnomaly)), outcomes.Select(o => (o.Score, o.IsAnomaly)));
        Assert.Contains(outcomes, o => o.IsAnomaly);
    }

    [Fact]
    public void ModelWithoutAScoreIsRejected()
    {
        string path = Path.Combine(_folder, "no-score.aeml");
        TestModels.Train(path, edit: o => { o.ScoreColumnName = null; o.PredictedLabelColumnName = null; });
        var model = new MLContext(seed: 1).Autoencoders().Load(path, out var schema);
        using var release = model as IDisposable;
        var e = Assert.Throws<InvalidOperationException>(() => new RecordBatchScorer(model, schema, "id"));
        Assert.Contains("score", e.Message);
    }
}
