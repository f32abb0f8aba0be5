using Microsoft.ML;
using Microsoft.ML.Data;

namespace AnomalyAE.Tests;

/// <summary>The column names a transformer writes are public facts, and the autoencoder stage of a fitted chain can be found.</summary>
public class OutputNamesTests
{
    private const int Dimensions = 10;
    private readonly MLContext _ml = new(seed: 1);

    private IDataView Data() => SyntheticData.Load(_ml, SyntheticData.Manifold(200, Dimensions), Dimensions);

    [Fact]
    public void TransformerNamesTheColumnsItWrites()
    {
        var options = TestOptions.Small(epochs: 2);
        options.ScoreColumnName = "AnomalyScore";
        options.PredictedLabelColumnName = "IsAnomaly";
        options.LatentFeaturesColumnName = null;
        options.ReconstructionColumnName = "Decoded";
        using var model = _ml.Autoencoders().Autoencoder(options).Fit(Data());
        Assert.Equal("AnomalyScore", model.ScoreColumnName);
        Assert.Equal("IsAnomaly", model.PredictedLabelColumnName);
        Assert.Null(model.LatentFeaturesColumnName);
        Assert.Equal("Decoded", model.ReconstructionColumnName);
        Assert.Equal(["AnomalyScore", "IsAnomaly", "Decoded", "Probability"], model.OutputColumnNames);
        var schema = model.GetOutputSchema(Data().Schema);
        foreach (var name in model.OutputColumnNames) Assert.NotNull(schema.GetColumnOrNull(name));
        Assert.Null(schema.GetColumnOrNull(AutoencoderOptions.Defaults.ScoreColumnName));
    }

    [Fact]
    public void DefaultNamesAreTheDefaultsConstants()
    {
        using var model = _ml.Autoencoders().Autoencoder(TestOptions.Small(epochs: 1)).Fit(Data());
        Assert.Equal(AutoencoderOptions.Defaults.ScoreColumnName, model.ScoreColumnName);
        Assert.Equal(AutoencoderOptions.Defaults.PredictedLabelColumnName, model.PredictedLabelColumnName);
        Assert.Equal(AutoencoderOptions.Defaults.LatentFeaturesColumnName, model.LatentFeaturesColumnName);
        Assert.Equal(AutoencoderOptions.Defaults.ReconstructionColumnName, model.ReconstructionColumnName);
        Assert.Equal(AutoencoderOptions.Defaults.FeatureColumnName, model.FeatureColumnName);
    }

    [Fact]
    public void VariationalTransformerNamesItsLogVarianceColumn()
    {
        var options = TestOptions.Small(new VariationalAutoencoderOptions { LatentLogVarianceColumnName = "LogVar" }, epochs: 1, seed: 1);
        using var model = _ml.Autoencoders().VariationalAutoencoder(options).Fit(Data());
        Assert.Equal("LogVar", model.LatentLogVarianceColumnName);
        Assert.Contains("LogVar", model.OutputColumnNames);
        using var copy = model.WithThreshold(1f);
        Assert.IsType<VariationalAutoencoderTransformer>(copy);
        Assert.Equal(model.OutputColumnNames, copy.OutputColumnNames);
    }

    [Fact]
    public void FindsTheScoringStageInNestedChains()
    {
        var data = Data();
        var reduce = _ml.Autoencoders().ProjectToLatentSpace("Reduced", "Features", latentDimension: 3, hiddenLayers: [16], epochs: 1, seed: 1);
        var detectorOptions = TestOptions.Small(epochs: 1);
        detectorOptions.FeatureColumnName = "Reduced";
        detectorOptions.ScoreColumnName = "Outlierness";
        detectorOptions.LatentFeaturesColumnName = "DetectorCode";
        detectorOptions.ReconstructionColumnName = null;
        var inner = _ml.Transforms.NormalizeMinMax("Features").Append(reduce);
        using var fitted = inner.Fit(data);
        using var detector = _ml.Autoencoders().Autoencoder(detectorOptions).Fit(fitted.Transform(data));
        ITransformer nested = new TransformerChain<ITransformer>(fitted, detector);

        var stages = nested.GetAutoencoderStages();
        Assert.Equal(2, stages.Count);
        Assert.Same(fitted.LastTransformer, stages[0]);
        Assert.Same(detector, stages[1]);
        Assert.Null(stages[0].ScoreColumnName);
        Assert.Same(detector, nested.FindAnomalyDetector());
        Assert.Equal("Outlierness", nested.FindAnomalyDetector()!.ScoreColumnName);
        Assert.Null(fitted.FindAnomalyDetector());   // a chain that only reduces dimensions has no detector
        Assert.Same(detector, detector.FindAnomalyDetector());
        Assert.Empty(_ml.Transforms.NormalizeMinMax("Features").Fit(data).GetAutoencoderStages());
    }
}
