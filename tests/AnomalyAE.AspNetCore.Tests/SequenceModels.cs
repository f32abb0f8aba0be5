using AnomalyAE.DataViews;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace AnomalyAE.AspNetCore.Tests;

/// <summary>
/// Sequence models and steps for the series tests: hosts whose "cpu", "memory" and "latency" (Single fields of very
/// different scales) follow periodic waves of their own phase, one row per host ("host", Text) and "time" (Single).
/// <see cref="First"/> normalizes the channels before its sequence stage (seed 1) and scores relative to each series' recent
/// scores (the default score baseline); <see cref="Second"/> reads them as they come (seed 2) and scores the reconstruction
/// error of the window ending at each step (<c>ScoreBaselineSteps = 0</c>). Both are trained once per test class and emit every column, windows of <see cref="Window"/> steps.
/// </summary>
public sealed class SequenceModels : IDisposable
{
    public const int Window = 12;
    public static readonly string[] Channels = ["cpu", "memory", "latency"];
    /// <summary>The detector's columns, in the model's schema order.</summary>
    public static readonly string[] Outputs = ["Score", "PredictedLabel", "Latent", "Reconstruction", "Contributions", "Probability"];

    public sealed record Step(string Host, float Time, float[] Values);

    public SequenceModels()
    {
        Train(First, seed: 1, normalize: true);
        Train(Second, seed: 2, normalize: false);
    }

    public string Folder { get; } = Directory.CreateTempSubdirectory("anomalyae-web-series-").FullName;

    public string First => Path.Combine(Folder, "first.aeml");

    public string Second => Path.Combine(Folder, "second.aeml");

    /// <summary>A copy of <paramref name="model"/> under a new name, for a test that replaces it.</summary>
    public string Copy(string model)
    {
        string path = Path.Combine(Folder, $"served-{Guid.NewGuid():N}.aeml");
        File.Copy(model, path);
        return path;
    }

    /// <summary>
    /// Hosts "h0", "h1", ... with <paramref name="lengths"/> steps each, interleaved in time (step t of every host, then t + 1):
    /// x_c(t) = level_c + spread_c · (sin(θ + φ_c) + 0.3 sin(2θ + ψ_c)) + noise, θ advancing 2π every 16 steps.
    /// </summary>
    public static Step[] Steps(int[] lengths, int seed)
    {
        double[] level = [50, 0.6, 120], spread = [20, 0.1, 30];
        var random = new Random(seed);
        var series = lengths.Select((length, host) =>
        {
            double theta = random.NextDouble() * 2 * Math.PI;
            return Enumerable.Range(0, length).Select(t =>
            {
                theta += 2 * Math.PI / 16;
                var values = Enumerable.Range(0, Channels.Length).Select(c => (float)(level[c] + spread[c] *
                    (Math.Sin(theta + c) + 0.3 * Math.Sin(2 * theta + 2 * c) + 0.03 * (random.NextDouble() - 0.5)))).ToArray();
                return new Step($"h{host}", t, values);
            }).ToArray();
        }).ToArray();
        return [.. series.SelectMany(s => s).OrderBy(s => s.Time).ThenBy(s => s.Host, StringComparer.Ordinal)];
    }

    public static IDataView View(IReadOnlyList<Step> steps)
    {
        var builder = new ColumnarDataView.Builder()
            .AddText("host", [.. steps.Select(s => s.Host)])
            .AddSingle("time", [.. steps.Select(s => s.Time)]);
        for (int c = 0; c < Channels.Length; c++) builder.AddSingle(Channels[c], [.. steps.Select(s => s.Values[c])]);
        return builder.Build();
    }

    /// <summary>A step as a request row: its host, time and channel fields.</summary>
    public static Dictionary<string, object> Json(Step step)
    {
        var row = new Dictionary<string, object> { ["host"] = step.Host, ["time"] = step.Time };
        for (int c = 0; c < Channels.Length; c++) row[Channels[c]] = step.Values[c];
        return row;
    }

    /// <summary>What the model in <paramref name="path"/> gives <paramref name="steps"/> in one batch Transform (LastWindow), column by column.</summary>
    public static Dictionary<string, object[]> Batch(string path, IReadOnlyList<Step> steps)
    {
        var model = new MLContext(seed: 1).Autoencoders().Load(path, out _);
        using var release = model as IDisposable;
        var scored = model.Transform(View(steps));
        var result = new Dictionary<string, object[]>();
        foreach (var name in Outputs)
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

    private static void Train(string path, int seed, bool normalize)
    {
        var ml = new MLContext(seed);
        var data = View(Steps([300, 300, 300], seed: 100 + seed));
        var sequence = ml.Autoencoders().SequenceAutoencoder(new SequenceAutoencoderOptions
        {
            ChannelColumnNames = Channels, SeriesColumnName = "host", OrderColumnName = "time", WindowSize = Window,
            ScoreAggregation = WindowScoreAggregation.LastWindow, Epochs = 4, BatchSize = 32, HiddenLayers = [16], LatentDimension = 4,
            Seed = seed, NumberOfThreads = 1, LatentFeaturesColumnName = "Latent", ReconstructionColumnName = "Reconstruction",
            FeatureContributionsColumnName = "Contributions", ScoreBaselineSteps = normalize ? new SequenceAutoencoderOptions().ScoreBaselineSteps : 0,
        });
        ITransformer model = normalize
            ? ml.Transforms.NormalizeMeanVariance([.. Channels.Select(c => new InputOutputColumnPair(c))]).Append(sequence).Fit(data)
            : sequence.Fit(data);
        using var release = model as IDisposable;
        ml.Autoencoders().Save(model, data.Schema, path);
    }

    public void Dispose() => Directory.Delete(Folder, recursive: true);
}
