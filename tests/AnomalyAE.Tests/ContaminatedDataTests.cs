using AnomalyAE.Datasets;
using AnomalyAE.Networks;
using AnomalyAE.Training;
using Microsoft.ML;
using static TorchSharp.torch;

namespace AnomalyAE.Tests;

/// <summary>
/// Training on unlabeled rows that already hold anomalies: the trimmed loss, autoencoder ensembles and the latent
/// neighbour score, each against the plain single autoencoder on the same planted data.
/// </summary>
public class ContaminatedDataTests
{
    private const int Dimensions = 20;

    private static AutoencoderOptions Plain() => new()
    {
        EnsembleSize = 1, RobustTraining = false, ScoreKind = AutoencoderScoreKind.ReconstructionError,
        ErrorMetric = ReconstructionErrorMetric.MeanSquaredError, Seed = 1, NumberOfThreads = 1,
    };

    private static (MLContext Ml, IDataView Data) Contaminated(int rows = 400, double anomalies = 0.05, int seed = 5)
    {
        var ml = new MLContext(seed: 3);
        return (ml, SyntheticData.Load(ml, SyntheticData.Manifold(rows, Dimensions, anomalies, seed), Dimensions));
    }

    /// <summary>ODDS-mnist style, small: 400 zeros of the bundled MNIST digits and 28 other digits (6.5 %), all in one training set.</summary>
    private static (MLContext Ml, IDataView Data) ContaminatedDigits()
    {
        var digits = ImageDataset.Read(Path.Combine(AppContext.BaseDirectory, "data", "mnist-images-idx3-ubyte.gz"),
            Path.Combine(AppContext.BaseDirectory, "data", "mnist-labels-idx1-ubyte.gz"));
        var random = new Random(1);
        var rows = digits.Where(d => d.Class == 0).Take(400).Concat(digits.Where(d => d.Class != 0).OrderBy(_ => random.Next()).Take(28))
            .Select(d => new FeatureRow { Features = d.Features, Label = d.Class == 0 ? 0 : 1 })
            .OrderBy(_ => random.Next()).ToArray();
        var ml = new MLContext(seed: 3);
        return (ml, SyntheticData.Load(ml, rows, 784));
    }

    private static double Auc(MLContext ml, ITransformer model, IDataView data) =>
        ml.AnomalyDetection.Evaluate(model.Transform(data)).AreaUnderRocCurve;

    [Fact]
    public void TrimmedLossLeavesTheWorstRowsOfTheBatchOut()
    {
        using var scope = NewDisposeScope();
        var terms = new ObjectiveTerms(tensor(new[] { 1f, 100f, 2f, 3f }), null);
        Assert.Equal(26.5f, BatchLoss.Reduce(terms, 0).item<float>(), 4);
        Assert.Equal(2f, BatchLoss.Reduce(terms, 0.25).item<float>(), 4);       // 100 is left out
        Assert.Equal(2f, BatchLoss.Reduce(terms, 0.3).item<float>(), 4);        // ⌊4 × 0.3⌋ = 1 row left out
        Assert.Equal(2.5f, BatchLoss.Reduce(terms with { Penalty = tensor(0.5f) }, 0.25).item<float>(), 4);
    }

    [Fact]
    public void DefaultDetectorRanksPlantedAnomaliesFarAboveThePlainAutoencoder()
    {
        // A single autoencoder trained long on every row learns to reconstruct the other digits too (AUC 0.55–0.75 in
        // probes); the default ensemble with trimmed loss and latent neighbour distance stayed above 0.9.
        var (ml, data) = ContaminatedDigits();
        using var plain = ml.Autoencoders().Autoencoder(Plain()).Fit(data);
        using var defaults = ml.Autoencoders().Autoencoder(new AutoencoderOptions { Seed = 1, NumberOfThreads = 1 }).Fit(data);
        double plainAuc = Auc(ml, plain, data), defaultAuc = Auc(ml, defaults, data);
        Assert.True(defaultAuc >= plainAuc + 0.10, $"defaults {defaultAuc:F3} vs plain {plainAuc:F3}: the stated margin is 0.10");
        Assert.True(defaultAuc > 0.85, $"defaults {defaultAuc:F3}");
    }

    [Fact]
    public void ReconstructionErrorKeepsATightClusterOfAnomaliesThatFoolsTheNeighbourDistance()
    {
        // 20 identical-looking faults: each one's 5th nearest neighbour is another fault, so the neighbour distance alone
        // ranks them as the most normal rows. The combined score (the default) still ranks them on top.
        var ml = new MLContext(seed: 3);
        var data = SyntheticData.Load(ml, SyntheticData.ClusteredAnomalies(400, Dimensions, 0.05, seed: 5, spread: 0.05), Dimensions);
        var neighbours = Plain();
        neighbours.ScoreKind = AutoencoderScoreKind.LatentNeighborDistance;
        var both = Plain();
        both.ScoreKind = AutoencoderScoreKind.ReconstructionAndNeighborDistance;
        using var neighbourModel = ml.Autoencoders().Autoencoder(neighbours).Fit(data);
        using var bothModel = ml.Autoencoders().Autoencoder(both).Fit(data);
        Assert.True(Auc(ml, neighbourModel, data) < 0.5, "the cluster should defeat the neighbour distance alone");
        Assert.True(Auc(ml, bothModel, data) > 0.95, $"combined {Auc(ml, bothModel, data):F3}");
    }

    [Fact]
    public void EnsembleIsDeterministicBySeedAndHasTheDocumentedColumns()
    {
        var (ml, data) = Contaminated(rows: 200);
        AutoencoderOptions Options(int seed) => new()
        {
            EnsembleSize = 3, Epochs = 5, Seed = seed, NumberOfThreads = 1, RobustTraining = true, HiddenLayers = [16], LatentDimension = 4,
            ScoreKind = AutoencoderScoreKind.ReconstructionAndNeighborDistance, Contamination = 0.05,
        };
        using var first = ml.Autoencoders().Autoencoder(Options(11)).Fit(data);
        using var again = ml.Autoencoders().Autoencoder(Options(11)).Fit(data);
        using var other = ml.Autoencoders().Autoencoder(Options(12)).Fit(data);
        var scores = TestOptions.Column<float>(first.Transform(data), "Score");
        Assert.Equal(scores, TestOptions.Column<float>(again.Transform(data), "Score"));
        Assert.NotEqual(scores, TestOptions.Column<float>(other.Transform(data), "Score"));

        var scored = first.Transform(data);
        Assert.All(TestOptions.Vectors(scored, "LatentFeatures"), v => Assert.Equal(4, v.Length));
        Assert.All(TestOptions.Vectors(scored, "Reconstruction"), v => Assert.Equal(Dimensions, v.Length));
        // The threshold is the 95 % quantile of the training scores: about 5 % of the training rows are flagged.
        int flagged = TestOptions.Column<bool>(scored, "PredictedLabel").Count(p => p);
        Assert.InRange(flagged, 8, 12);
        // Epochs = 5 is one network's budget: each of 3 members on half the rows trains ⌈2 · 5 / 1.5⌉ = 7 epochs.
        Assert.Equal(7, first.TrainingHistory.Count); // per epoch, the members' mean loss
    }

    [Fact]
    public void EnsembleProgressCoversEveryMemberOnce()
    {
        var (ml, data) = Contaminated(rows: 100);
        var reports = new List<TrainingProgress>();
        var options = new AutoencoderOptions { EnsembleSize = 3, Epochs = 2, Seed = 1, NumberOfThreads = 1, Progress = new Collect(reports) };
        using var model = ml.Autoencoders().Autoencoder(options).Fit(data);
        // Each member trains ⌈2 · 2 / (3 · 0.5)⌉ = 3 epochs.
        Assert.Equal(Enumerable.Range(1, 9), reports.Select(r => r.Epoch));
        Assert.All(reports, r => Assert.Equal(9, r.TotalEpochs));
    }

    private sealed class Collect(List<TrainingProgress> reports) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => reports.Add(value);
    }
}
