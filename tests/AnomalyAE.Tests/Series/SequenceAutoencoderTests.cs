using AnomalyAE.DataViews;
using Microsoft.ML;

namespace AnomalyAE.Tests.Series;

/// <summary>The sequence autoencoder over rows of time steps: what each row gets, and the windows behind it.</summary>
public sealed class SequenceAutoencoderTests
{
    private const int Channels = 4, Window = 32;
    private readonly MLContext _ml = new(seed: 1);

    internal static SequenceAutoencoderOptions Small(int seed = 3, SequenceArchitecture architecture = SequenceArchitecture.Dense) => new()
    {
        WindowSize = Window, Architecture = architecture, Epochs = 15, BatchSize = 64, LearningRate = 3e-3, Seed = seed, NumberOfThreads = 1,
        FeatureContributionsColumnName = "Contributions",
    };

    [Fact]
    public void PlantedPatternAnomaliesRankOnTopWhileTheTabularDetectorOnSingleRowsDoesNotSeeThem()
    {
        var (train, _) = SeriesData.Waves(3000, Channels, seed: 1);
        (int, int, bool)[] segments = [(400, 24, false), (900, 24, true), (1400, 24, false), (1900, 24, true)];
        var (test, planted) = SeriesData.Waves(2400, Channels, seed: 2, segments);

        using var model = _ml.Autoencoders().SequenceAutoencoder(Small()).Fit(SeriesData.View(train));
        var scores = TestOptions.Column<float>(model.Transform(SeriesData.View(test)), "Score");
        Assert.Equal(test.Length, scores.Length);
        // A window is anomalous when it holds a quarter of a planted segment, normal when it holds none of it.
        bool? WindowLabel(int end)
        {
            int inside = Enumerable.Range(Math.Max(0, end - Window + 1), Math.Min(Window, end + 1)).Count(t => planted[t]);
            return inside >= Window / 4 ? true : inside == 0 ? false : null;
        }
        double sequenceAuc = SeriesData.Auc(scores, WindowLabel);
        Assert.True(sequenceAuc > 0.95, $"sequence AUC {sequenceAuc:F3}");

        // The tabular detector sees one row at a time: every planted row lies on the normal rows' curve.
        using var tabular = _ml.Autoencoders().Autoencoder(TestOptions.Small(epochs: 30)).Fit(SeriesData.View(train));
        var rowScores = TestOptions.Column<float>(tabular.Transform(SeriesData.View(test)), "Score");
        double tabularAuc = SeriesData.Auc(rowScores, t => planted[t]);
        Assert.True(tabularAuc < 0.7, $"tabular AUC {tabularAuc:F3}");
    }

    [Fact]
    public void TheFirstWindowMinusOneRowsOfASeriesHaveNoScoreOnlineAndTheMeanCoversThem()
    {
        var (rows, _) = SeriesData.Waves(600, Channels, seed: 1);
        using var model = _ml.Autoencoders().SequenceAutoencoder(Small()).Fit(SeriesData.View(rows));
        var scored = model.Transform(SeriesData.View(rows));
        var scores = TestOptions.Column<float>(scored, "Score");
        var labels = TestOptions.Column<bool>(scored, "PredictedLabel");
        var probabilities = TestOptions.Column<float>(scored, "Probability");
        var latent = TestOptions.Vectors(scored, "LatentFeatures");
        Assert.All(scores[..(Window - 1)], s => Assert.True(float.IsNaN(s)));
        Assert.All(labels[..(Window - 1)], Assert.False);
        Assert.All(probabilities[..(Window - 1)], p => Assert.True(float.IsNaN(p)));
        Assert.All(latent[..(Window - 1)], v => Assert.All(v, x => Assert.True(float.IsNaN(x))));
        Assert.All(scores[(Window - 1)..], s => Assert.True(float.IsFinite(s)));

        // The mean of the covering windows scores every step of a series at least a window long: step t is the mean of the
        // online scores of the steps t … t + W − 1 that exist.
        using var batch = model.WithScoreAggregation(WindowScoreAggregation.MeanOfCoveringWindows);
        var means = TestOptions.Column<float>(batch.Transform(SeriesData.View(rows)), "Score");
        Assert.All(means, s => Assert.True(float.IsFinite(s)));
        for (int t = 0; t < rows.Length; t++)
        {
            var covering = Enumerable.Range(Math.Max(t, Window - 1), Math.Min(rows.Length, t + Window) - Math.Max(t, Window - 1)).Select(e => (double)scores[e]).ToArray();
            Assert.Equal(covering.Average(), means[t], 1e-4 * Math.Max(1, Math.Abs(means[t])));
        }
    }
}
