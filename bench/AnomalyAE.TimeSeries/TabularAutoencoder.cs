using AnomalyAE.DataViews;
using AnomalyAE.TimeSeries.Evaluation.Data;
using AnomalyAE.TimeSeries.Evaluation.Detectors;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace AnomalyAE.TimeSeries;

/// <summary>
/// Our tabular autoencoder (the public <c>ml.Autoencoders().Autoencoder</c> estimator, library defaults, automatic threshold)
/// on flattened sliding windows: fitted on the training windows, scoring the window that ends at each test row. The row
/// that shows what a sequence network adds over treating a window as a plain vector.
/// </summary>
internal sealed class TabularAutoencoder(int threads) : IDetector
{
    public string Name => "AE on flattened windows";
    public string Description => $"`ml.Autoencoders().Autoencoder` with the library defaults, `Contamination = null`, {threads} thread(s), on the window vectors (w · channels features)";
    public bool UsesSeed => true;

    public DetectorScores Score(SeriesTask task, int seed)
    {
        var train = SlidingWindows.Train(task);
        var test = SlidingWindows.Test(task);
        int features = train[0].Length;
        if (train.All(row => row.AsSpan().SequenceEqual(train[0])))
        {
            // A flat training part (NAB's art_flatline): the estimator rightly refuses a constant column, and the only
            // model there is is the constant; score the squared distance to it, as peers.py does.
            double Distance(float[] row) => row.Select((v, i) => (double)(v - train[0][i]) * (v - train[0][i])).Sum();
            return new DetectorScores(test.Select(Distance).ToArray(), train.Select(Distance).ToArray());
        }
        var ml = new MLContext(seed);
        var options = new AutoencoderOptions { Seed = seed, NumberOfThreads = threads, Contamination = null };
        var trainView = new ColumnarDataView.Builder().AddVector("Features", features, train).Build();
        using var model = ml.Autoencoders().Autoencoder(options).Fit(trainView);
        double[] Scores(float[][] rows) =>
            model.Transform(new ColumnarDataView.Builder().AddVector("Features", features, rows).Build())
                .GetColumn<float>("Score").Select(s => (double)s).ToArray();
        return new DetectorScores(Scores(test), Scores(train));
    }
}
