using System.Globalization;
using System.Text;
using AnomalyAE.DataViews;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace AnomalyAE.Hosting.Tests;

/// <summary>
/// A sequence model and interleaved series records for the worker tests: channels x0, x1, x2 (periodic waves, each series
/// with its own phase), a series field and a time field; one series has a stuck stretch (a pattern anomaly) to alert on.
/// The batch scores of the same records (the estimator's Transform, LastWindow) are what online scoring must reproduce.
/// </summary>
internal static class SeriesModels
{
    public const int Window = 12;
    public static readonly string[] Channels = ["x0", "x1", "x2"];

    public sealed record Step(string Id, string Series, float Time, float[] Values);

    /// <summary>Steps of <paramref name="series"/> series, <paramref name="steps"/> each, interleaved in time (step t of each, then t + 1).</summary>
    public static List<Step> Steps(int series, int steps, int seed, bool plant = true)
    {
        var all = new List<Step>();
        for (int s = 0; s < series; s++)
        {
            var random = new Random(seed * 1000 + s);
            double theta = random.NextDouble() * 2 * Math.PI;
            for (int t = 0; t < steps; t++)
            {
                bool stuck = plant && s == 1 && t >= steps / 2 && t < steps / 2 + 2 * Window;
                theta += stuck ? 0 : 2 * Math.PI / 24;
                float[] values = [.. Enumerable.Range(0, Channels.Length).Select(c => (float)(Math.Sin(theta + c) + 0.3 * Math.Sin(2 * theta + 2 * c) + 0.03 * (random.NextDouble() - 0.5)))];
                all.Add(new Step($"s{s}-{t}", $"s{s}", t, values));
            }
        }
        return [.. all.OrderBy(r => r.Time).ThenBy(r => r.Series, StringComparer.Ordinal)];
    }

    public static IDataView View(IReadOnlyList<Step> steps)
    {
        var builder = new ColumnarDataView.Builder();
        for (int c = 0; c < Channels.Length; c++) builder.AddSingle(Channels[c], [.. steps.Select(s => s.Values[c])]);
        return builder.AddText("series", [.. steps.Select(s => s.Series)]).AddSingle("t", [.. steps.Select(s => s.Time)]).AddText("id", [.. steps.Select(s => s.Id)]).Build();
    }

    /// <summary>Trains a sequence model on clean series and saves it to <paramref name="path"/>.</summary>
    public static void Train(string path)
    {
        var ml = new MLContext(seed: 1);
        var data = View(Steps(4, 300, seed: 1, plant: false));
        var options = new SequenceAutoencoderOptions
        {
            WindowSize = Window, ChannelColumnNames = Channels, SeriesColumnName = "series", OrderColumnName = "t", Epochs = 6, BatchSize = 32, Seed = 3,
            NumberOfThreads = 1, HiddenLayers = [16], LatentDimension = 4, FeatureContributionsColumnName = "Contributions",
        };
        using var model = ml.Autoencoders().SequenceAutoencoder(options).Fit(data);
        ml.Autoencoders().Save(model, data.Schema, path);
    }

    /// <summary>The batch scores of <paramref name="steps"/> by the saved model, by record id.</summary>
    public static Dictionary<string, float> BatchScores(string path, IReadOnlyList<Step> steps)
    {
        var model = new MLContext(seed: 1).Autoencoders().Load(path, out _);
        using var release = model as IDisposable;
        var scores = model.Transform(View(steps)).GetColumn<float>("Score").ToArray();
        return steps.Select((s, i) => (s.Id, scores[i])).ToDictionary(p => p.Id, p => p.Item2);
    }

    public static string Csv(IEnumerable<Step> steps)
    {
        var text = new StringBuilder("id,series,t,x0,x1,x2\n");
        foreach (var s in steps)
            text.Append(CultureInfo.InvariantCulture, $"{s.Id},{s.Series},{s.Time},{string.Join(',', s.Values.Select(v => v.ToString("R", CultureInfo.InvariantCulture)))}\n");
        return text.ToString();
    }

    /// <summary>Online and batch agree: both NaN (warming up), or within 1e-5 relative / 1e-6 absolute.</summary>
    public static bool Same(float batch, float online) =>
        float.IsNaN(batch) ? float.IsNaN(online) : Math.Abs(batch - online) <= Math.Max(1e-6, 1e-5 * Math.Abs(batch));
}
