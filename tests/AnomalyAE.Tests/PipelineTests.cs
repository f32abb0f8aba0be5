using Microsoft.ML;
using Microsoft.ML.Data;

namespace AnomalyAE.Tests;

/// <summary>The transformer inside ML.NET pipelines: schema propagation, prediction engines, evaluation, saving, threads, disposal.</summary>
public class PipelineTests
{
    private const int Dimensions = 12;

    private sealed class Prediction
    {
        public float Score { get; set; }
        public bool PredictedLabel { get; set; }
        [VectorType(2)] public float[] LatentFeatures { get; set; } = [];
        [VectorType(Dimensions)] public float[] Reconstruction { get; set; } = [];
    }

    private sealed class Input
    {
        [VectorType(Dimensions)] public float[] Features { get; set; } = [];
        public float Label { get; set; }
    }

    private static (MLContext Ml, IDataView Data, Input[] Rows) Setup(int rows = 600)
    {
        var ml = new MLContext(seed: 1);
        var raw = SyntheticData.Manifold(rows, Dimensions).Select(r => new Input { Features = r.Features.Select(v => v * 10 + 3).ToArray(), Label = r.Label }).ToArray();
        return (ml, ml.Data.LoadFromEnumerable(raw), raw);
    }

    private static EstimatorChain<AutoencoderTransformer> Pipeline(MLContext ml) =>
        ml.Transforms.NormalizeMinMax("Features").Append(ml.Autoencoders().Autoencoder(TestOptions.Small(epochs: 10)));

    [Fact]
    public void PipelineOutputSchemaMatchesTheTransformedData()
    {
        var (ml, data, _) = Setup();
        var pipeline = Pipeline(ml);
        var shape = pipeline.GetOutputSchema(Transforms.SchemaShapes.Of(data.Schema));
        using var model = pipeline.Fit(data);
        var output = model.Transform(data).Schema;

        foreach (var name in new[] { "Score", "PredictedLabel", "LatentFeatures", "Reconstruction", "Features", "Label" })
        {
            Assert.Contains(shape, c => c.Name == name);
            Assert.NotNull(output.GetColumnOrNull(name));
        }
        Assert.Equal(NumberDataViewType.Single, shape.Single(c => c.Name == "Score").ItemType);
        Assert.Equal(SchemaShape.Column.VectorKind.Vector, shape.Single(c => c.Name == "Reconstruction").Kind);
        Assert.Equal(output, model.GetOutputSchema(data.Schema), new SchemaComparer());
    }

    [Fact]
    public void EstimatorRejectsAMissingFeatureColumnInGetOutputSchema()
    {
        var (ml, data, _) = Setup(50);
        var estimator = ml.Autoencoders().Autoencoder(new AutoencoderOptions { FeatureColumnName = "Nope" });
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => estimator.GetOutputSchema(Transforms.SchemaShapes.Of(data.Schema)));
        Assert.Contains("'Nope'", e.Message);
    }

    [Fact]
    public void PredictionEngineAfterNormalizerMatchesBatchedTransform()
    {
        var (ml, data, rows) = Setup();
        using var model = Pipeline(ml).Fit(data);
        var scored = model.Transform(data);
        var scores = TestOptions.Column<float>(scored, "Score");
        var labels = TestOptions.Column<bool>(scored, "PredictedLabel");
        var latent = TestOptions.Vectors(scored, "LatentFeatures");
        var reconstruction = TestOptions.Vectors(scored, "Reconstruction");

        var engine = ml.Model.CreatePredictionEngine<Input, Prediction>(model, new PredictionEngineOptions { OwnsTransformer = false });
        for (int i = 0; i < rows.Length; i += 37)
        {
            var p = engine.Predict(rows[i]);
            Assert.Equal(scores[i], p.Score, 1e-6f);
            Assert.Equal(labels[i], p.PredictedLabel);
            Assert.Equal(latent[i], p.LatentFeatures, (a, b) => Math.Abs(a - b) < 1e-5f);
            Assert.Equal(reconstruction[i], p.Reconstruction, (a, b) => Math.Abs(a - b) < 1e-5f);
        }
        Assert.Contains(true, labels);
    }

    [Fact]
    public void AnomalyDetectionEvaluatorAcceptsTheOutput()
    {
        var (ml, data, _) = Setup();
        using var model = Pipeline(ml).Fit(data);
        var metrics = ml.AnomalyDetection.Evaluate(model.Transform(data), falsePositiveCount: 5);
        Assert.InRange(metrics.AreaUnderRocCurve, 0.9, 1.0);
        Assert.InRange(metrics.DetectionRateAtFalsePositiveCount, 0.0, 1.0);
    }

    [Fact]
    public void MLNetModelSaveThrowsAndPointsToOurs()
    {
        var (ml, data, _) = Setup(100);
        using var model = Pipeline(ml).Fit(data);
        using var stream = new MemoryStream();
        var e = Assert.Throws<NotSupportedException>(() => ml.Model.Save(model, data.Schema, stream));
        Assert.Contains(nameof(AutoencoderTransformer), e.Message);
        Assert.Contains("Autoencoders().Save", e.Message);
    }

    [Fact]
    public void ConcurrentCursorsGiveTheSameScores()
    {
        var (ml, data, _) = Setup();
        var options = TestOptions.Small(epochs: 3);
        options.ScoringBatchSize = 50;
        using var model = ml.Transforms.NormalizeMinMax("Features").Append(ml.Autoencoders().Autoencoder(options)).Fit(data);
        var expected = TestOptions.Column<float>(model.Transform(data), "Score");
        var results = new float[8][];
        Parallel.For(0, results.Length, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i =>
            results[i] = TestOptions.Column<float>(model.Transform(data), "Score"));
        Assert.All(results, r => Assert.Equal(expected, r));
    }

    [Fact]
    public void CursorSkippingRowsStillAlignsScoresWithRows()
    {
        var (ml, data, _) = Setup();
        var options = TestOptions.Small(epochs: 3);
        options.ScoringBatchSize = 16;
        using var model = ml.Autoencoders().Autoencoder(options).Fit(data);
        var all = TestOptions.Column<float>(model.Transform(data), "Score");
        var scored = model.Transform(data);
        var score = scored.Schema["Score"];
        using var cursor = scored.GetRowCursor([score]);
        var getter = cursor.GetGetter<float>(score);
        float value = 0;
        while (cursor.MoveNext())
        {
            if (cursor.Position % 7 != 0) continue; // read only some rows, across batch boundaries
            getter(ref value);
            Assert.Equal(all[cursor.Position], value);
        }
    }

    [Fact]
    public void DisposedTransformerThrowsObjectDisposedNotACrash()
    {
        var (ml, data, rows) = Setup(200);
        var model = ml.Autoencoders().Autoencoder(TestOptions.Small(epochs: 2)).Fit(data);
        var view = model.Transform(data);
        var engine = ml.Model.CreatePredictionEngine<Input, Prediction>(model);
        engine.Predict(rows[0]);
        engine.Dispose(); // owns and disposes the transformer by default

        var e = Assert.Throws<ObjectDisposedException>(() => model.Transform(data));
        Assert.Contains("OwnsTransformer", e.Message);
        Assert.Throws<ObjectDisposedException>(() => TestOptions.Column<float>(view, "Score"));
        model.Dispose(); // idempotent
    }

    [Fact]
    public void SharedWeightsOutliveTheFirstTransformer()
    {
        var (ml, data, _) = Setup(200);
        var model = ml.Autoencoders().Autoencoder(TestOptions.Small(epochs: 2)).Fit(data);
        var expected = TestOptions.Column<float>(model.Transform(data), "Score");
        using var copy = model.WithThreshold(0.5f);
        model.Dispose();
        Assert.Equal(expected, TestOptions.Column<float>(copy.Transform(data), "Score"));
        Assert.Equal(0.5f, copy.Threshold);
    }

    private sealed class SchemaComparer : IEqualityComparer<DataViewSchema>
    {
        public bool Equals(DataViewSchema? x, DataViewSchema? y) =>
            x!.Count == y!.Count && x.Zip(y).All(p => p.First.Name == p.Second.Name && p.First.Type.Equals(p.Second.Type));
        public int GetHashCode(DataViewSchema obj) => obj.Count;
    }
}
