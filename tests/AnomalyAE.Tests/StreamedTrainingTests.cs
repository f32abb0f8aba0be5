using AnomalyAE.Data;
using Microsoft.ML;

namespace AnomalyAE.Tests;

/// <summary>
/// Training on data streamed from an <see cref="IDataView"/>'s cursors (over <c>TrainingMemoryBudget</c>, or with
/// <c>StreamTraining</c>): flat memory on millions of generated rows, the same results as in memory within the sketch's
/// error, determinism and cancellation.
/// </summary>
public class StreamedTrainingTests
{
    private static AutoencoderOptions Options(bool stream, int epochs = 10, int seed = 7)
    {
        var options = TestOptions.Small(epochs, seed);
        options.StreamTraining = stream;
        options.ShuffleBufferSize = 4096;
        return options;
    }

    private static double Auc(MLContext ml, ITransformer model, IDataView data) =>
        ml.AnomalyDetection.Evaluate(model.Transform(data)).AreaUnderRocCurve;

    [Fact]
    public void MillionsOfGeneratedRowsTrainWithManagedMemoryFarBelowTheData()
    {
        const long rows = 3_000_000;
        const int features = 32;
        const long dataBytes = rows * features * sizeof(float);   // 384 MB as floats
        var ml = new MLContext(seed: 1);
        long baseline = GC.GetTotalMemory(forceFullCollection: true), peak = 0;
        var data = new GeneratedDataView(rows, features) { Observe = _ => peak = Math.Max(peak, GC.GetTotalMemory(false) - baseline) };
        var options = new AutoencoderOptions
        {
            EnsembleSize = 1, ScoreKind = AutoencoderScoreKind.ReconstructionError, HiddenLayers = [16], LatentDimension = 4,
            Epochs = 1, BatchSize = 1024, Seed = 3, NumberOfThreads = 1, Contamination = 0.02,
            // Streams because the data is over the budget (not because it is asked to).
            TrainingMemoryBudget = 32 << 20, ShuffleBufferSize = 16_384,
        };
        using var model = ml.Autoencoders().Autoencoder(options).Fit(data);

        Assert.True(peak > 0, "the generated rows were observed during the fit");
        Assert.True(peak < dataBytes / 8, $"managed heap grew by {peak >> 20} MB during the fit; the data is {dataBytes >> 20} MB");
        // It learned: the planted anomalies (every 50th row) of a fresh sample rank on top.
        Assert.True(Auc(ml, model, new GeneratedDataView(20_000, features)) > 0.95);
    }

    [Fact]
    public void StreamedAndInMemoryTrainingAgreeOnThresholdAndAuc()
    {
        var ml = new MLContext(seed: 1);
        var data = new GeneratedDataView(20_000, 16);
        using var inMemory = ml.Autoencoders().Autoencoder(Options(stream: false)).Fit(data);
        using var streamed = ml.Autoencoders().Autoencoder(Options(stream: true)).Fit(data);

        // Each threshold sits at the 98% quantile of its model's training scores: exactly in memory, within the sketch's rank error streamed.
        foreach (var model in new[] { inMemory, streamed })
        {
            var scores = TestOptions.Column<float>(model.Transform(data), "Score");
            double flagged = scores.Count(s => s > model.Threshold) / (double)scores.Length;
            Assert.InRange(flagged, 0.02 - 0.002, 0.02 + 0.002);
        }
        double inMemoryAuc = Auc(ml, inMemory, data), streamedAuc = Auc(ml, streamed, data);
        Assert.True(inMemoryAuc > 0.95 && streamedAuc > 0.95, $"AUC in memory {inMemoryAuc:F3}, streamed {streamedAuc:F3}");
        Assert.True(Math.Abs(inMemoryAuc - streamedAuc) < 0.03, $"AUC in memory {inMemoryAuc:F3}, streamed {streamedAuc:F3}");
        Assert.Equal(inMemory.TrainingHistory.Count, streamed.TrainingHistory.Count);
        Assert.All(streamed.TrainingHistory, e => Assert.NotNull(e.ValidationLoss));
    }

    [Fact]
    public void StreamedTrainingOfAnEnsembleWithNeighbourScoresIsDeterministic()
    {
        var ml = new MLContext(seed: 1);
        var data = new GeneratedDataView(12_000, 16);
        AutoencoderOptions Ensemble(int seed) => new()
        {
            EnsembleSize = 2, HiddenLayers = [16], LatentDimension = 4, Epochs = 4, BatchSize = 128, Seed = seed, NumberOfThreads = 1,
            StreamTraining = true, ShuffleBufferSize = 2048,
        };
        float[] Scores(AutoencoderTransformer model) => TestOptions.Column<float>(model.Transform(data), "Score");

        using var first = ml.Autoencoders().Autoencoder(Ensemble(seed: 5)).Fit(data);
        using var second = ml.Autoencoders().Autoencoder(Ensemble(seed: 5)).Fit(data);
        using var other = ml.Autoencoders().Autoencoder(Ensemble(seed: 6)).Fit(data);

        Assert.Equal(first.Threshold, second.Threshold);
        Assert.Equal(Scores(first), Scores(second));
        Assert.NotEqual(Scores(first), Scores(other));
        Assert.True(Auc(ml, first, data) > 0.9, $"AUC {Auc(ml, first, data):F3}");
    }

    [Fact]
    public void CancellationStopsAStreamedPass()
    {
        var ml = new MLContext(seed: 1);
        using var cancel = new CancellationTokenSource();
        int passes = 0;
        long lastSeen = 0;
        var data = new GeneratedDataView(2_000_000, 8)
        {
            Observe = position =>
            {
                if (position == GeneratedDataView.ObserveEvery) passes++;
                lastSeen = position;
                if (passes == 2 && position >= 4 * GeneratedDataView.ObserveEvery) cancel.Cancel();   // mid-way through the first epoch
            },
        };
        var options = Options(stream: true, epochs: 5);

        Assert.ThrowsAny<OperationCanceledException>(() => ml.Autoencoders().Autoencoder(options).Fit(data, cancel.Token));
        Assert.Equal(2, passes);
        Assert.True(lastSeen <= 5 * GeneratedDataView.ObserveEvery, $"the pass went on to row {lastSeen} after cancellation");
    }

    [Fact]
    public void FirstPassSwitchesToStreamingWhenTheRowCountIsUnknownAndTheBudgetIsPassed()
    {
        const int features = 8;
        var unknown = new GeneratedDataView(100_000, features, rowCountKnown: false);
        var streamed = TrainingData.Read(unknown, "Features", memoryBudgetBytes: 1 << 20, stream: false, _ => 1000, seed: 1, CancellationToken.None);
        var inMemory = TrainingData.Read(new GeneratedDataView(100_000, features), "Features", memoryBudgetBytes: 1 << 30, stream: false, _ => 1000, seed: 1, CancellationToken.None);

        Assert.True(streamed.IsStreamed);
        Assert.False(inMemory.IsStreamed);
        Assert.Equal(100_000, streamed.RowCount);
        Assert.Equal(1000, streamed.ScoreSample.Rows);
        Assert.Equal(inMemory.Summary.Min, streamed.Summary.Min);
        Assert.Equal(inMemory.Summary.Max, streamed.Summary.Max);
        Assert.Equal(inMemory.Summary.MeanVariance(), streamed.Summary.MeanVariance(), 12);
        // A later pass streams the same rows as the matrix holds.
        var block = streamed.Rows.Blocks(4096, CancellationToken.None).Skip(3).First();
        Assert.Equal(inMemory.InMemory!.Values.AsSpan((int)block.Start * features, block.Count * features).ToArray(), block.Values.AsSpan(0, block.Count * features).ToArray());
    }

    [Fact]
    public void StreamingOptionsOutOfRangeAreRejectedByName()
    {
        var ml = new MLContext(seed: 1);
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => ml.Autoencoders().Autoencoder(new AutoencoderOptions { ShuffleBufferSize = 0 }));
        Assert.Contains("ShuffleBufferSize", error.Message);
        error = Assert.Throws<ArgumentOutOfRangeException>(() => ml.Autoencoders().Autoencoder(new AutoencoderOptions { TrainingMemoryBudget = -1 }));
        Assert.Contains("TrainingMemoryBudget", error.Message);
    }
}
