using Microsoft.ML;
using Microsoft.ML.Data;

namespace AnomalyAE.Tests;

public class CoreBehaviourTests
{
    private const int Dimensions = 20;

    [Fact]
    public void PlantedAnomaliesAreRankedOnTop()
    {
        var ml = new MLContext(seed: 1);
        var data = SyntheticData.Load(ml, SyntheticData.Manifold(2000, Dimensions, anomalyFraction: 0.02), Dimensions);
        using var model = ml.Autoencoders().Autoencoder(TestOptions.Small(epochs: 40)).Fit(data);

        var scored = model.Transform(data);
        var metrics = ml.AnomalyDetection.Evaluate(scored);

        Assert.True(metrics.AreaUnderRocCurve >= 0.95, $"AUC {metrics.AreaUnderRocCurve:F3} < 0.95");
    }

    [Fact]
    public void TrainingLossDecreases()
    {
        var ml = new MLContext(seed: 1);
        var data = SyntheticData.Load(ml, SyntheticData.Manifold(1000, Dimensions), Dimensions);
        using var model = ml.Autoencoders().Autoencoder(TestOptions.Small(epochs: 20)).Fit(data);

        var history = model.TrainingHistory;
        Assert.Equal(20, history.Count);
        Assert.True(history[^1].TrainingLoss < 0.5 * history[0].TrainingLoss, $"loss {history[0].TrainingLoss} -> {history[^1].TrainingLoss}");
        Assert.NotNull(history[^1].ValidationLoss);
        Assert.True(history[^1].ValidationLoss < history[0].ValidationLoss);
    }

    [Fact]
    public void DenoisingBeatsPlainOnNoisyInputs()
    {
        var ml = new MLContext(seed: 1);
        var clean = SyntheticData.Manifold(1500, Dimensions, anomalyFraction: 0, noise: 0);
        var train = SyntheticData.Load(ml, clean, Dimensions);
        // Wide enough to pass noise through when nothing stops it.
        AutoencoderOptions Options(InputNoise noise) => new()
        {
            HiddenLayers = [64], LatentDimension = 16, Epochs = 40, BatchSize = 64, LearningRate = 3e-3,
            Seed = 3, NumberOfThreads = 1, Noise = noise, NoiseLevel = 0.2, ValidationFraction = 0, EnsembleSize = 1,
        };
        using var plain = ml.Autoencoders().Autoencoder(Options(InputNoise.None)).Fit(train);
        using var denoising = ml.Autoencoders().Autoencoder(Options(InputNoise.Gaussian)).Fit(train);

        var random = new Random(99);
        var test = SyntheticData.Manifold(300, Dimensions, anomalyFraction: 0, seed: 5, noise: 0);
        var noisy = test.Select(r => new FeatureRow { Features = r.Features.Select(v => v + (float)(0.2 * SyntheticData.Gaussian(random))).ToArray() }).ToArray();
        double ErrorToClean(AutoencoderTransformer model)
        {
            var reconstructions = TestOptions.Vectors(model.Transform(SyntheticData.Load(ml, noisy, Dimensions)), "Reconstruction");
            return reconstructions.Select((r, i) => r.Zip(test[i].Features, (a, b) => (a - b) * (a - b)).Average()).Average();
        }
        double noiseLevel = noisy.Select((r, i) => r.Features.Zip(test[i].Features, (a, b) => (a - b) * (a - b)).Average()).Average();

        double plainError = ErrorToClean(plain), denoisingError = ErrorToClean(denoising);
        Assert.True(denoisingError < 0.8 * plainError, $"denoising {denoisingError:G4} vs plain {plainError:G4} (input noise {noiseLevel:G4})");
        Assert.True(denoisingError < noiseLevel, $"denoising {denoisingError:G4} does not remove noise {noiseLevel:G4}");
    }

    [Fact]
    public void SparsityPenaltyLowersLatentActivity()
    {
        var ml = new MLContext(seed: 1);
        var data = SyntheticData.Load(ml, SyntheticData.Manifold(1000, Dimensions), Dimensions);
        AutoencoderOptions Options(SparsityPenalty penalty) => new()
        {
            HiddenLayers = [32], LatentDimension = 8, Epochs = 25, BatchSize = 64, LearningRate = 3e-3, Seed = 3, NumberOfThreads = 1,
            LatentActivation = AutoencoderActivation.ReLU, Sparsity = penalty, SparsityWeight = 0.05, EnsembleSize = 1,
        };
        double MeanActivity(AutoencoderTransformer model) =>
            TestOptions.Vectors(model.Transform(data), "LatentFeatures").SelectMany(v => v).Average(Math.Abs);
        double ActiveFraction(AutoencoderTransformer model) =>
            TestOptions.Vectors(model.Transform(data), "LatentFeatures").SelectMany(v => v).Average(v => v > 1e-3 ? 1.0 : 0.0);

        using var plain = ml.Autoencoders().Autoencoder(Options(SparsityPenalty.None)).Fit(data);
        using var sparse = ml.Autoencoders().Autoencoder(Options(SparsityPenalty.L1)).Fit(data);

        Assert.True(MeanActivity(sparse) < 0.5 * MeanActivity(plain), $"sparse {MeanActivity(sparse):G3} vs plain {MeanActivity(plain):G3}");
        Assert.True(ActiveFraction(sparse) < ActiveFraction(plain), $"active units: sparse {ActiveFraction(sparse):P0} vs plain {ActiveFraction(plain):P0}");
    }

    [Fact]
    public void KullbackLeiblerSparsityDrivesMeanActivationTowardTarget()
    {
        var ml = new MLContext(seed: 1);
        var data = SyntheticData.Load(ml, SyntheticData.Manifold(1000, Dimensions), Dimensions);
        var options = TestOptions.Small(epochs: 25);
        options.LatentDimension = 8;
        options.LatentActivation = AutoencoderActivation.Sigmoid;
        options.Sparsity = SparsityPenalty.KullbackLeibler;
        options.SparsityTarget = 0.05;
        options.SparsityWeight = 0.5;
        using var model = ml.Autoencoders().Autoencoder(options).Fit(data);

        double meanActivation = TestOptions.Vectors(model.Transform(data), "LatentFeatures").SelectMany(v => v).Average(v => (double)v);
        Assert.InRange(meanActivation, 0.0, 0.15);
    }

    [Theory]
    [InlineData(0.02)]
    [InlineData(0.1)]
    public void ThresholdFlagsTheContaminationFractionOfTrainingRows(double contamination)
    {
        var ml = new MLContext(seed: 1);
        var data = SyntheticData.Load(ml, SyntheticData.Manifold(1000, Dimensions), Dimensions);
        var options = TestOptions.Small(epochs: 5);
        options.Contamination = contamination;
        using var model = ml.Autoencoders().Autoencoder(options).Fit(data);

        var flagged = TestOptions.Column<bool>(model.Transform(data), "PredictedLabel").Average(b => b ? 1.0 : 0.0);
        Assert.InRange(flagged, contamination - 0.005, contamination + 0.005);

        using var stricter = model.WithThreshold(float.MaxValue);
        Assert.DoesNotContain(true, TestOptions.Column<bool>(stricter.Transform(data), "PredictedLabel"));
        Assert.Equal(TestOptions.Column<float>(model.Transform(data), "Score"), TestOptions.Column<float>(stricter.Transform(data), "Score"));
    }

    [Fact]
    public void SameSeedGivesIdenticalScoresAndOtherSeedsDiffer()
    {
        var ml = new MLContext(seed: 1);
        var data = SyntheticData.Load(ml, SyntheticData.Manifold(600, Dimensions), Dimensions);
        float[] Scores(int seed, double dropout = 0.1)
        {
            var options = TestOptions.Small(epochs: 5, seed: seed);
            options.DropoutRate = dropout;
            options.Noise = InputNoise.Gaussian;
            using var model = new MLContext(seed: 1).Autoencoders().Autoencoder(options).Fit(data);
            return TestOptions.Column<float>(model.Transform(data), "Score");
        }
        Assert.Equal(Scores(11), Scores(11));
        Assert.NotEqual(Scores(11), Scores(12));
    }

    [Fact]
    public void DefaultSeedComesFromTheContextsSeedStream()
    {
        var data = SyntheticData.Load(new MLContext(), SyntheticData.Manifold(400, Dimensions), Dimensions);
        float[] Scores(int contextSeed)
        {
            var options = TestOptions.Small(epochs: 3);
            options.Seed = null;
            using var model = new MLContext(seed: contextSeed).Autoencoders().Autoencoder(options).Fit(data);
            return TestOptions.Column<float>(model.Transform(data), "Score");
        }
        Assert.Equal(Scores(5), Scores(5));
        Assert.NotEqual(Scores(5), Scores(6));
    }

    [Fact]
    public void EarlyStoppingStopsAndRestoresTheBestEpoch()
    {
        var ml = new MLContext(seed: 1);
        var data = SyntheticData.Load(ml, SyntheticData.Manifold(300, Dimensions), Dimensions);
        var options = TestOptions.Small(epochs: 300);
        options.LearningRate = 0.05; // noisy enough to stop improving early
        options.EarlyStoppingPatience = 3;
        options.ValidationFraction = 0.2;
        using var model = ml.Autoencoders().Autoencoder(options).Fit(data);

        var history = model.TrainingHistory;
        Assert.True(history.Count < 300, $"ran all {history.Count} epochs");
        var best = history.MinBy(h => h.ValidationLoss!.Value)!;
        Assert.Equal(history.Count - 3, best.Epoch);
    }

    [Fact]
    public void ProgressAndContextLogReportEveryEpoch()
    {
        var ml = new MLContext(seed: 1);
        var messages = new List<string>();
        ml.Log += (_, e) => { lock (messages) messages.Add(e.Message); };
        var reports = new List<TrainingProgress>();
        var options = TestOptions.Small(epochs: 4);
        options.Progress = new SynchronousProgress<TrainingProgress>(reports.Add);
        var data = SyntheticData.Load(ml, SyntheticData.Manifold(300, Dimensions), Dimensions);
        using var model = ml.Autoencoders().Autoencoder(options).Fit(data);

        Assert.Equal([1, 2, 3, 4], reports.Select(r => r.Epoch));
        Assert.All(reports, r => Assert.True(r.RowsPerSecond > 0 && double.IsFinite(r.Loss.TrainingLoss)));
        Assert.Contains(messages, m => m.Contains("Epoch 4/4"));
        Assert.Contains(messages, m => m.Contains("Threshold"));
    }

    [Fact]
    public void CancellationStopsTraining()
    {
        var ml = new MLContext(seed: 1);
        var data = SyntheticData.Load(ml, SyntheticData.Manifold(300, Dimensions), Dimensions);
        using var cancellation = new CancellationTokenSource();
        var options = TestOptions.Small(epochs: 1000);
        options.Progress = new SynchronousProgress<TrainingProgress>(p => { if (p.Epoch == 2) cancellation.Cancel(); });
        var estimator = ml.Autoencoders().Autoencoder(options);
        Assert.ThrowsAny<OperationCanceledException>(() => estimator.Fit(data, cancellation.Token));
    }

    [Fact]
    public void ProjectToLatentSpaceEmitsOnlyTheLatentVector()
    {
        var ml = new MLContext(seed: 1);
        var data = SyntheticData.Load(ml, SyntheticData.Manifold(500, Dimensions), Dimensions);
        var estimator = ml.Autoencoders().ProjectToLatentSpace("Latent", "Features", latentDimension: 3, epochs: 3, seed: 1);
        using var model = estimator.Fit(data);
        var output = model.Transform(data);

        var added = output.Schema.Select(c => c.Name).Except(data.Schema.Select(c => c.Name)).ToArray();
        Assert.Equal(["Latent"], added);
        Assert.Equal(new VectorDataViewType(NumberDataViewType.Single, 3), output.Schema["Latent"].Type);
        Assert.All(TestOptions.Vectors(output, "Latent"), v => Assert.All(v, x => Assert.True(float.IsFinite(x))));
    }
}

/// <summary>IProgress that reports on the calling thread (Progress&lt;T&gt; posts to the thread pool).</summary>
internal sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
