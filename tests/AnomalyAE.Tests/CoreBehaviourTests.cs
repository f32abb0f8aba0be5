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
}
