using AnomalyAE.DataViews;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace AnomalyAE.AspNetCore.Tests;

/// <summary>
/// Models and rows for the endpoint tests: 8 features on a 2-D manifold in one Vector&lt;Single, 8&gt; column "Features"
/// plus a Text "id" the model does not read; every 50th row of a scoring set is a planted outlier. The detector emits its
/// columns under non-default names, so the tests show the endpoint takes them from the model.
/// </summary>
internal static class TestModels
{
    public const int Features = 8;

    public sealed record Row(string Id, float[] Values, bool Outlier);

    public static Row[] Rows(int count, int seed, bool outliers = true)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, count).Select(i =>
        {
            bool outlier = outliers && i % 50 == 25;
            double a = random.NextDouble() * 2 - 1, b = random.NextDouble() * 2 - 1;
            var values = Enumerable.Range(0, Features).Select(f => (float)(outlier ? random.NextDouble() * 8 - 4 : Math.Tanh(a * (f % 3 - 1) + b * (f % 4 - 1.5)) + 0.02 * (random.NextDouble() - 0.5))).ToArray();
            return new Row($"r{i}", values, outlier);
        })];
    }

    public static IDataView View(IEnumerable<Row> rows)
    {
        var list = rows.ToList();
        return new ColumnarDataView.Builder()
            .AddText("id", [.. list.Select(r => r.Id)])
            .AddVector("Features", Features, [.. list.Select(r => r.Values)])
            .Build();
    }

    /// <summary>NormalizeMeanVariance → autoencoder emitting AnomalyScore, IsAnomaly, Code, Contributions; saved to <paramref name="path"/>.</summary>
    public static void Train(string path, int seed)
    {
        var ml = new MLContext(seed);
        var data = View(Rows(1500, seed, outliers: false));
        var pipeline = ml.Transforms.NormalizeMeanVariance("Features")
            .Append(ml.Autoencoders().Autoencoder(new AutoencoderOptions
            {
                HiddenLayers = [16], LatentDimension = 2, Epochs = 25, BatchSize = 64, Seed = seed, NumberOfThreads = 1, Contamination = 0.01,
                EnsembleSize = 1, ScoreColumnName = "AnomalyScore", PredictedLabelColumnName = "IsAnomaly", LatentFeaturesColumnName = "Code",
                ReconstructionColumnName = null, FeatureContributionsColumnName = "Contributions", ProbabilityColumnName = "AnomalyProbability",
            }));
        using var model = pipeline.Fit(data);
        ml.Autoencoders().Save(model, data.Schema, path);
    }

    /// <summary>The score and label of single rows through ML.NET's <c>PredictionEngine</c> on the model in <paramref name="path"/>.</summary>
    public static (float Score, bool Label)[] PredictInProcess(string path, IEnumerable<Row> rows)
    {
        var ml = new MLContext(seed: 1);
        var model = ml.Autoencoders().Load(path, out _);
        var input = SchemaDefinition.Create(typeof(EngineInput));
        input[nameof(EngineInput.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, Features);
        using var engine = ml.Model.CreatePredictionEngine<EngineInput, EngineOutput>(model, new PredictionEngineOptions { InputSchemaDefinition = input });
        return [.. rows.Select(r => engine.Predict(new EngineInput { id = r.Id, Features = r.Values })).Select(p => (p.AnomalyScore, p.IsAnomaly))];
    }

    private sealed class EngineInput
    {
        public string id { get; set; } = "";
        public float[] Features { get; set; } = [];
    }

    private sealed class EngineOutput
    {
        public float AnomalyScore { get; set; }
        public bool IsAnomaly { get; set; }
    }

    /// <summary>What the model in <paramref name="path"/> gives in process, column by column: Single, Boolean or Single[] per row.</summary>
    public static Dictionary<string, object[]> ScoreInProcess(string path, IEnumerable<Row> rows)
    {
        var model = new MLContext(seed: 1).Autoencoders().Load(path, out _);
        using var release = model as IDisposable;
        return ScoreInProcess(model, rows);
    }

    /// <summary>What <paramref name="model"/> gives in process for <paramref name="rows"/> in one Transform, column by column.</summary>
    public static Dictionary<string, object[]> ScoreInProcess(ITransformer model, IEnumerable<Row> rows)
    {
        var scored = model.Transform(View(rows));
        var result = new Dictionary<string, object[]>();
        foreach (var name in model.FindAnomalyDetector()!.OutputColumnNames)
        {
            var column = scored.Schema[name];
            result[name] = column.Type switch
            {
                BooleanDataViewType => [.. scored.GetColumn<bool>(column).Cast<object>()],
                VectorDataViewType => [.. scored.GetColumn<float[]>(column).Cast<object>()],
                _ => [.. scored.GetColumn<float>(column).Cast<object>()],
            };
        }
        return result;
    }
}
