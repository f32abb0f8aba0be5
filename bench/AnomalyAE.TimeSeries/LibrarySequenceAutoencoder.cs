using AnomalyAE.DataViews;
using AnomalyAE.TimeSeries.Evaluation.Data;
using AnomalyAE.TimeSeries.Evaluation.Detectors;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace AnomalyAE.TimeSeries;

/// <summary>
/// <c>ml.Autoencoders().SequenceAutoencoder</c> through the public API on rows of time steps, window = the task's: fitted on
/// the training rows, then every test row scored online (the default <c>LastWindow</c> score) by one <c>Transform</c> over
/// the rows before the test and the test rows. The rows before the test are the training rows when the test continues them
/// (NAB), else w − 1 copies of the first test row (MSL), as <see cref="SlidingWindows.Test"/> gives the window peers; under
/// the default score baseline they are also the start of each series' recent scores.
/// </summary>
internal sealed class LibrarySequenceAutoencoder(string name, string description, int threads, int? scoreBaselineSteps) : IDetector
{
    /// <summary>The library's defaults (dense network, one network, peaks over threshold, scores relative to the last 8,640 steps' scores).</summary>
    public static LibrarySequenceAutoencoder Defaults(int threads) => new("sequence autoencoder",
        $"`ml.Autoencoders().SequenceAutoencoder(new SequenceAutoencoderOptions {{ WindowSize = w }})` on the rows with its defaults (dense, one network, " +
        $"peaks-over-threshold, score baseline of {new SequenceAutoencoderOptions().ScoreBaselineSteps:N0} steps), {threads} thread(s), one `Transform` over the rows before the test and the test rows", threads, null);

    /// <summary>The same without the score baseline: the raw reconstruction error of the window ending at each row.</summary>
    public static LibrarySequenceAutoencoder WithoutBaseline(int threads) => new("sequence autoencoder, ScoreBaselineSteps = 0",
        $"the same with `ScoreBaselineSteps = 0`: the reconstruction error of the window ending at each row, {threads} thread(s)", threads, 0);

    public string Name => name;
    public string Description => description;
    public bool UsesSeed => true;

    public DetectorScores Score(SeriesTask task, int seed)
    {
        if (LibraryAutoencoder.FlatTraining(SlidingWindows.Train(task), SlidingWindows.Test(task)) is { } flat) return flat;
        int d = task.Dimensions, w = task.Window;
        var options = new SequenceAutoencoderOptions { WindowSize = w, FeatureColumnName = "Features", Seed = seed, NumberOfThreads = threads };
        if (scoreBaselineSteps is int steps) options.ScoreBaselineSteps = steps;
        var ml = new MLContext(seed);
        using var model = ml.Autoencoders().SequenceAutoencoder(options).Fit(Rows(task.Train, d));

        float[] before = task.TestFollowsTrain ? task.Train : [.. Enumerable.Repeat(task.Test[..d], w - 1).SelectMany(r => r)];
        var scores = Scores(model, Rows([.. before, .. task.Test], d));
        double[] test = scores[^task.TestRows..];
        // Relative scores are in units of spread already (the bench's robust z leaves them so); raw ones need the training's.
        double[] train = model.ScoreBaselineSteps > 0 ? [.. Thresholds.UnitScale]
            : task.TestFollowsTrain ? scores[..task.TrainRows] : Scores(model, Rows(task.Train, d));
        return new DetectorScores(test, train);
    }

    private static double[] Scores(ITransformer model, IDataView rows) => [.. model.Transform(rows).GetColumn<float>("Score").Select(s => (double)s)];

    /// <summary>One row per time step: a vector column "Features" of the step's <paramref name="d"/> values.</summary>
    public static IDataView Rows(float[] values, int d) => new ColumnarDataView.Builder()
        .AddVector("Features", d, Enumerable.Range(0, values.Length / d).Select(t => values.AsSpan(t * d, d).ToArray()).ToArray())
        .Build();
}
