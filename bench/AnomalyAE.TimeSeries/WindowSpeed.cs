using System.Diagnostics;
using System.Text;
using AnomalyAE.DataViews;
using AnomalyAE.TimeSeries.Evaluation.Data;
using AnomalyAE.TimeSeries.Evaluation.Detectors;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace AnomalyAE.TimeSeries;

/// <summary>
/// The speed target of the sequence autoencoder (issue #25): at window 64 with the default network, the seconds to fit
/// one MSL channel (its train file, one row per step, 55 channels) and the batch scoring rate over its test file, through
/// the public row-per-step estimator (its default <c>EnsembleSize</c> and <c>ScoreBaselineSteps</c>, or <c>--ensemble N</c>,
/// <c>--baseline N</c>); beside them, the tabular autoencoder's defaults on the same windows flattened to 64 × 55 features
/// (fit on the training windows, scoring one window per test step).
/// </summary>
internal static class WindowSpeed
{
    public static string Run(IEnumerable<SeriesTask> channels, int window, int threads, int seed, int? ensembleSize, int? scoreBaselineSteps)
    {
        var table = new StringBuilder();
        table.AppendLine($"| channel | train × test steps | sequence: fit s | sequence: scored steps/s | tabular on flattened windows: fit s | tabular: scored windows/s |");
        table.AppendLine("|---|---:|---:|---:|---:|---:|");
        var sums = new double[4];
        int count = 0;
        foreach (var raw in channels)
        {
            var task = raw.Standardized() with { Window = window };
            var (sequenceFit, sequenceRate) = Sequence(task, window, threads, seed, ensembleSize, scoreBaselineSteps);
            var (tabularFit, tabularRate) = Tabular(task, threads, seed);
            double[] row = [sequenceFit, sequenceRate, tabularFit, tabularRate];
            for (int i = 0; i < 4; i++) sums[i] += row[i];
            count++;
            string line = $"| {task.Name} | {task.TrainRows:N0} × {task.TestRows:N0} | {sequenceFit:F1} | {sequenceRate:N0} | {tabularFit:F1} | {tabularRate:N0} |";
            Console.WriteLine(line);
            table.AppendLine(line);
        }
        table.AppendLine($"| **mean of {count}** | | **{sums[0] / count:F1}** | **{sums[1] / count:N0}** | **{sums[2] / count:F1}** | **{sums[3] / count:N0}** |");
        table.AppendLine();
        table.AppendLine($"Peak RSS of the process: {Machine.PeakRssMb():F0} MB.");
        return table.ToString();
    }

    private static (double FitSeconds, double StepsPerSecond) Sequence(SeriesTask task, int window, int threads, int seed, int? ensembleSize, int? scoreBaselineSteps)
    {
        var options = new SequenceAutoencoderOptions { WindowSize = window, FeatureColumnName = "Features", Seed = seed, NumberOfThreads = threads };
        if (ensembleSize is int size) options.EnsembleSize = size;
        if (scoreBaselineSteps is int steps) options.ScoreBaselineSteps = steps;
        return FitThenScore(new MLContext(seed).Autoencoders().SequenceAutoencoder(options),
            LibrarySequenceAutoencoder.Rows(task.Train, task.Dimensions), LibrarySequenceAutoencoder.Rows(task.Test, task.Dimensions));
    }

    private static (double FitSeconds, double WindowsPerSecond) Tabular(SeriesTask task, int threads, int seed)
    {
        IDataView Windows(float[][] rows) => new ColumnarDataView.Builder().AddVector("Features", rows[0].Length, rows).Build();
        var estimator = new MLContext(seed).Autoencoders().Autoencoder(new AutoencoderOptions { Seed = seed, NumberOfThreads = threads });
        return FitThenScore(estimator, Windows(SlidingWindows.Train(task)), Windows(SlidingWindows.Test(task)));
    }

    /// <summary>Times each channel's test file is scored; the median rate is reported (a test file of ~2,000 steps scores in tens of milliseconds).</summary>
    private const int ScoringRepeats = 5;

    /// <summary>The seconds <paramref name="estimator"/> takes to fit <paramref name="train"/>, and the median rows per second its model scores <paramref name="test"/> at.</summary>
    private static (double FitSeconds, double RowsPerSecond) FitThenScore<TModel>(IEstimator<TModel> estimator, IDataView train, IDataView test)
        where TModel : class, ITransformer, IDisposable
    {
        var watch = Stopwatch.StartNew();
        using var model = estimator.Fit(train);
        double fit = watch.Elapsed.TotalSeconds;
        var rates = new double[ScoringRepeats];
        for (int i = 0; i < rates.Length; i++)
        {
            watch.Restart();
            int scored = model.Transform(test).GetColumn<float>("Score").Count();
            rates[i] = scored / watch.Elapsed.TotalSeconds;
        }
        return (fit, rates.Order().ElementAt(rates.Length / 2));
    }
}
