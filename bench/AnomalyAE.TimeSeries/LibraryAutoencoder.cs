using AnomalyAE.DataViews;
using AnomalyAE.TimeSeries.Evaluation.Data;
using AnomalyAE.TimeSeries.Evaluation.Detectors;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace AnomalyAE.TimeSeries;

/// <summary>
/// One of our estimators, through the public API, on sliding windows (w · channels values, time-major): fitted on the
/// training windows, scoring the window that ends at each test row.
/// </summary>
internal sealed class LibraryAutoencoder(string name, string description, Func<MLContext, SeriesTask, int, IEstimator<ITransformer>> estimator) : IDetector
{
    /// <summary>The tabular autoencoder with the library defaults on the window as a plain vector.</summary>
    public static LibraryAutoencoder OnFlattenedWindows(int threads) => new("AE on flattened windows",
        $"`ml.Autoencoders().Autoencoder` with the library defaults, `Contamination = null`, {threads} thread(s), on the window vectors (w · channels features)",
        (ml, _, seed) => ml.Autoencoders().Autoencoder(new AutoencoderOptions { Seed = seed, NumberOfThreads = threads, Contamination = null }));

    /// <summary>
    /// For a flat training part (NAB's art_flatline), where the estimators rightly refuse a constant column and the only
    /// model there is is the constant: the squared distance of each window to it, as peers.py scores; else null.
    /// </summary>
    public static DetectorScores? FlatTraining(float[][] train, float[][] test)
    {
        if (!train.All(row => row.AsSpan().SequenceEqual(train[0]))) return null;
        double Distance(float[] row) => row.Select((v, i) => (double)(v - train[0][i]) * (v - train[0][i])).Sum();
        return new DetectorScores(test.Select(Distance).ToArray(), train.Select(Distance).ToArray());
    }

    public string Name => name;
    public string Description => description;
    public bool UsesSeed => true;

    public DetectorScores Score(SeriesTask task, int seed)
    {
        var train = SlidingWindows.Train(task);
        var test = SlidingWindows.Test(task);
        int features = train[0].Length;
        if (FlatTraining(train, test) is { } flat) return flat;
        var ml = new MLContext(seed);
        var trainView = new ColumnarDataView.Builder().AddVector("Features", features, train).Build();
        var model = estimator(ml, task, seed).Fit(trainView);
        try
        {
            double[] Scores(float[][] rows) =>
                model.Transform(new ColumnarDataView.Builder().AddVector("Features", features, rows).Build())
                    .GetColumn<float>("Score").Select(s => (double)s).ToArray();
            return new DetectorScores(Scores(test), Scores(train));
        }
        finally
        {
            (model as IDisposable)?.Dispose();
        }
    }
}
