using AnomalyAE.DataViews;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers;

namespace AnomalyAE.Tabular;

/// <summary>A detector of ours (or ML.NET's): fitted on all rows of a set without labels, then scoring all of them.</summary>
internal sealed record Detector(string Name, string Configuration, Func<MLContext, IDataView, int, int, ITransformer> Fit)
{
    /// <summary>
    /// An <see cref="AutoencoderEstimator"/> with the library defaults (the threshold too: <c>PredictedLabel</c> is the
    /// default's), changed by <paramref name="edit"/> (given the rows and features).
    /// </summary>
    public static Detector Autoencoder(string name, string configuration, Action<AutoencoderOptions, int, int>? edit = null) =>
        new(name, configuration, (ml, data, seed, threads) =>
        {
            var options = new AutoencoderOptions { Seed = seed, NumberOfThreads = threads };
            edit?.Invoke(options, (int)data.GetRowCount()!.Value, ((VectorDataViewType)data.Schema["Features"].Type).Size);
            return ml.Autoencoders().Autoencoder(options).Fit(data);
        });

    /// <summary>ML.NET's RandomizedPca at its default rank 20 (fewer when the set has fewer features).</summary>
    public static Detector RandomizedPca() =>
        new("RandomizedPca", "`ml.AnomalyDetection.Trainers.RandomizedPca`, rank min(20, features − 1)", (ml, data, seed, _) =>
        {
            int features = ((VectorDataViewType)data.Schema["Features"].Type).Size;
            return ml.AnomalyDetection.Trainers.RandomizedPca(new RandomizedPcaTrainer.Options
            {
                FeatureColumnName = "Features",
                Rank = Math.Min(20, features - 1),
                Seed = seed,
            }).Fit(data);
        });

    /// <summary>
    /// Fits on every row of <paramref name="set"/> and returns every row's score, the predicted label and the probability
    /// when the model emits them (ours do, RandomizedPca's probability-free output does not), and the seconds taken.
    /// </summary>
    public (float[] Scores, bool[]? Predicted, float[]? Probabilities, double Seconds) Run(TabularSet set, int seed, int threads, Action<float[]>? reconstruction = null)
    {
        var ml = new MLContext(seed);
        var data = new ColumnarDataView.Builder().AddVector("Features", set.Columns, set.Features).Build();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var model = Fit(ml, data, seed, threads);
        try
        {
            var scored = model.Transform(data);
            var scores = scored.GetColumn<float>("Score").ToArray();
            double seconds = clock.Elapsed.TotalSeconds;
            var detector = model.FindAnomalyDetector();
            var predicted = detector?.PredictedLabelColumnName is { } label ? scored.GetColumn<bool>(label).ToArray() : null;
            var probabilities = detector?.ProbabilityColumnName is { } probability ? scored.GetColumn<float>(probability).ToArray() : null;
            if (reconstruction is not null && detector?.ReconstructionColumnName is { } column)
                reconstruction([.. scored.GetColumn<float[]>(column).SelectMany(r => r)]);
            return (scores, predicted, probabilities, seconds);
        }
        finally
        {
            (model as IDisposable)?.Dispose();
        }
    }
}
