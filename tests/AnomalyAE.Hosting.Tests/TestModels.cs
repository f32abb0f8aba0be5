using System.Globalization;
using AnomalyAE.DataViews;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace AnomalyAE.Hosting.Tests;

/// <summary>Models and records for the worker tests: 8 named features on a 2-D manifold; every 50th record an outlier.</summary>
internal static class TestModels
{
    public const int Features = 8;

    public static string[] FeatureNames => Enumerable.Range(0, Features).Select(i => $"x{i}").ToArray();

    /// <summary>A model shaped like `anomalyae train` makes: Concatenate(x0..x7) → NormalizeMeanVariance → autoencoder.</summary>
    public static void Train(string path, int seed = 1, float? threshold = null, Action<AutoencoderOptions>? edit = null)
    {
        var ml = new MLContext(seed);
        var rows = Rows(1500, seed, outliers: false);
        var builder = new ColumnarDataView.Builder();
        for (int f = 0; f < Features; f++) builder.AddSingle($"x{f}", rows.Select(r => r.Values[f]).ToArray());
        builder.AddText("id", rows.Select(r => r.Id).ToArray());
        var data = builder.Build();
        var pipeline = ml.Transforms.Concatenate("Features", FeatureNames)
            .Append(ml.Transforms.NormalizeMeanVariance("Features"))
            .Append(ml.Autoencoders().Autoencoder(Options(seed, edit)));
        using var model = pipeline.Fit(data);
        ITransformer saved = model;
        AutoencoderTransformer? changed = null;
        if (threshold is float t)
        {
            changed = model.LastTransformer.WithThreshold(t);
            saved = new TransformerChain<ITransformer>([.. model.Take(model.Count() - 1), changed]);
        }
        ml.Autoencoders().Save(saved, data.Schema, path);
        changed?.Dispose();
    }

    private static AutoencoderOptions Options(int seed, Action<AutoencoderOptions>? edit)
    {
        var options = new AutoencoderOptions { HiddenLayers = [16], LatentDimension = 2, Epochs = 25, BatchSize = 64, Seed = seed, NumberOfThreads = 1, Contamination = 0.01, EnsembleSize = 1 };
        edit?.Invoke(options);
        return options;
    }

    public sealed record Row(string Id, float[] Values, bool Outlier);

    public static Row[] Rows(int count, int seed, bool outliers = true, string prefix = "r")
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(i =>
        {
            bool outlier = outliers && i % 50 == 25;
            double a = random.NextDouble() * 2 - 1, b = random.NextDouble() * 2 - 1;
            var values = Enumerable.Range(0, Features).Select(f => (float)(outlier ? random.NextDouble() * 8 - 4 : Math.Tanh(a * (f % 3 - 1) + b * (f % 4 - 1.5)) + 0.02 * (random.NextDouble() - 0.5))).ToArray();
            return new Row($"{prefix}{i}", values, outlier);
        }).ToArray();
    }

    public static string Csv(IEnumerable<Row> rows) =>
        "id," + string.Join(',', FeatureNames) + "\n" + string.Concat(rows.Select(r => r.Id + "," + string.Join(',', r.Values.Select(v => v.ToString("R", CultureInfo.InvariantCulture))) + "\n"));
}
