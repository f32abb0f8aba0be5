using AnomalyAE.Networks;
using AnomalyAE.Training;
using Microsoft.ML;
using Microsoft.ML.Runtime;

namespace AnomalyAE.Tests;

/// <summary>
/// The data-scaled defaults: architecture from the number of features, batch size and epochs from the number of rows.
/// Their constants were chosen by the sweep in bench/QUALITY.md; these tests hold the properties the sweep relies on.
/// </summary>
public class DefaultsTests
{
    [Fact]
    public void DefaultCodeIsAlwaysNarrowerThanTheInput()
    {
        Assert.Equal(32, DefaultArchitecture.LatentDimension(784));
        Assert.Equal(32, DefaultArchitecture.LatentDimension(64));
        Assert.Equal(16, DefaultArchitecture.LatentDimension(30));
        Assert.Equal(8, DefaultArchitecture.LatentDimension(20));
        for (int features = 2; features <= 5000; features++)
        {
            var (hidden, latent) = DefaultArchitecture.Resolve(features, null, null);
            Assert.InRange(latent, 1, Math.Min(features - 1, DefaultArchitecture.MaxLatentDimension));
            Assert.Equal([4 * latent], hidden);
        }
        Assert.Equal([128], DefaultArchitecture.Resolve(784, null, 2).HiddenLayers); // a small code keeps a capable encoder
        Assert.Equal([200], DefaultArchitecture.Resolve(784, null, 100).HiddenLayers);
        var (explicitHidden, explicitLatent) = DefaultArchitecture.Resolve(784, [7], 3); // explicit widths are kept
        Assert.Equal([7], explicitHidden);
        Assert.Equal(3, explicitLatent);
    }

    [Theory]
    [InlineData(50)]
    [InlineData(300)]
    [InlineData(800)]
    [InlineData(5_400)]
    [InlineData(60_000)]
    [InlineData(2_000_000)]
    public void DefaultBudgetMakesAboutTheTargetNumberOfSteps(int rows)
    {
        var (batch, epochs) = TrainingBudget.Resolve(rows, null, null);
        Assert.InRange(batch, TrainingBudget.MinBatchSize, TrainingBudget.MaxBatchSize);
        long stepsPerEpoch = (rows + batch - 1) / batch;
        long steps = stepsPerEpoch * epochs;
        if (epochs == TrainingBudget.MaxEpochs) Assert.True(steps < TrainingBudget.TargetSteps + stepsPerEpoch, $"{rows} rows: capped at {epochs} epochs but {steps} steps");
        else if (epochs == TrainingBudget.MinEpochs) Assert.True(steps >= TrainingBudget.TargetSteps, $"{rows} rows: {steps} steps at the minimum epochs");
        else Assert.InRange(steps, TrainingBudget.TargetSteps, TrainingBudget.TargetSteps + stepsPerEpoch - 1);
        Assert.Equal((100, 7), TrainingBudget.Resolve(rows, 100, 7)); // explicit values are kept
    }

    [Fact]
    public void AllDefaultsDetectPlantedAnomaliesInSmallTabularDataWithoutWarnings()
    {
        // A few hundred rows of 20 features: the case where a fixed 50 epochs of batch 256 made ~100 steps.
        var ml = new MLContext(seed: 3);
        var messages = new List<(ChannelMessageKind Kind, string Text)>();
        ml.Log += (_, e) => { lock (messages) messages.Add((e.Kind, e.RawMessage)); };
        var data = SyntheticData.Load(ml, SyntheticData.Manifold(400, dimensions: 20, anomalyFraction: 0.03, seed: 5), 20);

        using var model = ml.Autoencoders().Autoencoder(new AutoencoderOptions { Seed = 1, NumberOfThreads = 1 }).Fit(data);

        // Eight members, each on half the rows (200, of which 180 train) for about 50 steps (MemberTargetSteps).
        Assert.Equal(8, model.LatentDimension);
        Assert.Equal(8, messages.Count(m => m.Text.Contains("DenseAutoencoder 20 → 32 → 8 on 180 rows") && m.Text.Contains("batch 16")));
        Assert.DoesNotContain(messages, m => m.Kind == ChannelMessageKind.Warning);
        Assert.InRange(model.TrainingHistory.Count * Math.Ceiling(180 / 16.0), TrainingBudget.MemberSteps(8), TrainingBudget.MemberSteps(8) + Math.Ceiling(180 / 16.0));
        Assert.Equal(50, TrainingBudget.MemberSteps(8));
        var metrics = ml.AnomalyDetection.Evaluate(model.Transform(data));
        Assert.True(metrics.AreaUnderRocCurve > 0.97, $"AUC {metrics.AreaUnderRocCurve:F3}");
    }
}
