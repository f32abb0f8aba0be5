using System.Globalization;
using AnomalyAE.Hosting.Records;
using Microsoft.ML;

namespace AnomalyAE.Hosting.Tests;

/// <summary>
/// The record scorer: fields parsed straight into the model's buffers, the model's own output names, malformed records
/// set aside with the reason, and the top features of anomalies.
/// </summary>
public sealed class RecordScorerTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("anomalyae-scorer-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static ScoredBatch Score(string path, RecordBatch batch)
    {
        var model = new MLContext(seed: 1).Autoencoders().Load(path, out var schema);
        using var release = model as IDisposable;
        return new RecordBatchScorer(model, schema, "id").Score(batch);
    }

    private static IEnumerable<(float, bool)> Results(ScoredBatch scored) => Enumerable.Range(0, scored.Count).Select(r => (scored.Score(r), scored.IsAnomaly(r)));

    [Fact]
    public void ModelWithRenamedOutputsScoresLikeTheDefaultNames()
    {
        string renamed = Path.Combine(_folder, "renamed.aeml"), plain = Path.Combine(_folder, "plain.aeml");
        TestModels.Train(renamed, edit: o => { o.ScoreColumnName = "AnomalyScore"; o.PredictedLabelColumnName = "IsAnomaly"; o.LatentFeaturesColumnName = null; o.ReconstructionColumnName = "Decoded"; });
        TestModels.Train(plain);
        var batch = RecordBatches.FromRows(TestModels.Rows(200, seed: 3));

        var outcomes = Score(renamed, batch);
        Assert.Equal(0, outcomes.Rejected);
        Assert.Equal(("AnomalyScore", "IsAnomaly"), (outcomes.ScoreColumnName, outcomes.PredictedLabelColumnName));
        var reference = Score(plain, batch);
        Assert.Equal(("Score", "PredictedLabel"), (reference.ScoreColumnName, reference.PredictedLabelColumnName));
        Assert.Equal(Results(reference), Results(outcomes));
        Assert.True(outcomes.Anomalies > 0);
    }

    [Fact]
    public void MalformedRecordsAreSetAsideAndTheRestScoreAsOnTheirOwn()
    {
        string path = Path.Combine(_folder, "model.aeml");
        TestModels.Train(path);
        var rows = TestModels.Rows(60, seed: 4);
        var records = TextRecords.WithHeader(["x7", "id", .. TestModels.FeatureNames.Take(7)], "id"); // another column order than the model's
        var bad = new Dictionary<int, string>
        {
            [3] = "field 'x2' = 'oops' is not a finite number",
            [10] = "field 'x5' = 'NaN' is not a finite number",
            [20] = "field 'x1' = '' is not a finite number",
        };
        for (int r = 0; r < rows.Length; r++)
        {
            records.Begin(r + 2);
            records.AddCell(rows[r].Values[7].ToString("R", CultureInfo.InvariantCulture));
            records.AddCell(rows[r].Id);
            for (int f = 0; f < 7; f++)
            {
                string cell = rows[r].Values[f].ToString("R", CultureInfo.InvariantCulture);
                if (r == 3 && f == 2) cell = "oops";
                if (r == 10 && f == 5) cell = "NaN";
                if (r == 20 && f == 1) cell = "";
                records.AddCell(cell);
            }
            records.End();
        }

        var outcomes = Score(path, records.Slice(0, rows.Length));
        Assert.Equal(bad.Count, outcomes.Rejected);
        foreach (var (record, reason) in bad) Assert.Equal(reason, outcomes.Error(record));
        var good = rows.Where((_, i) => !bad.ContainsKey(i)).ToList();
        var alone = Score(path, RecordBatches.FromRows(good));
        Assert.Equal(Results(alone), Enumerable.Range(0, rows.Length).Where(i => !bad.ContainsKey(i)).Select(r => (outcomes.Score(r), outcomes.IsAnomaly(r))));
    }

    [Fact]
    public void AnomaliesNameTheFeaturePushedOffTheManifoldAsTheirTopFeature()
    {
        string path = Path.Combine(_folder, "explained.aeml");
        TestModels.Train(path, edit: o => o.FeatureContributionsColumnName = "FeatureContributions");
        var rows = TestModels.Rows(200, seed: 8, outliers: false);
        foreach (var row in rows) row.Values[3] += 3f; // x3 alone leaves the manifold

        var outcomes = Score(path, RecordBatches.FromRows(rows));
        Assert.True(outcomes.HasContributions);
        Assert.True(outcomes.Anomalies >= 180, $"{outcomes.Anomalies} of 200 flagged");
        var top = new (string Name, float Share)[3];
        int named = 0;
        for (int r = 0; r < outcomes.Count; r++)
        {
            if (!outcomes.IsAnomaly(r)) { Assert.Equal(0, outcomes.TopFeatures(r, top)); continue; }
            Assert.Equal(3, outcomes.TopFeatures(r, top));
            Assert.True(top[0].Share >= top[1].Share && top[1].Share >= top[2].Share && top[2].Share >= 0);
            if (top[0].Name == "x3") named++;
        }
        Assert.True(named >= 0.9 * outcomes.Anomalies, $"x3 named first in {named} of {outcomes.Anomalies} anomalies");
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
