using Microsoft.ML;
using Microsoft.ML.Data;

namespace AnomalyAE.Tests;

/// <summary>Every bad input gets a clear exception that names the column, what was expected, what was found and the fix.</summary>
public class BadInputTests
{
    private const int Dimensions = 6;
    private readonly MLContext _ml = new(seed: 1);

    private IDataView Data(int rows = 200, Action<FeatureRow[]>? edit = null)
    {
        var data = SyntheticData.Manifold(rows, Dimensions, anomalyFraction: 0);
        edit?.Invoke(data);
        return SyntheticData.Load(_ml, data, Dimensions);
    }

    private static AutoencoderOptions Quick() => TestOptions.Small(epochs: 2);

    [Theory]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    [InlineData(float.NegativeInfinity)]
    public void NonFiniteTrainingFeatureIsRejectedWithRowAndSlot(float bad)
    {
        var data = Data(edit: rows => rows[17].Features[3] = bad);
        var e = Assert.Throws<InvalidOperationException>(() => _ml.Autoencoders().Autoencoder(Quick()).Fit(data));
        Assert.Contains("'Features'", e.Message);
        Assert.Contains("row 17, slot 3", e.Message);
        Assert.Contains("ReplaceMissingValues", e.Message);
    }

    [Fact]
    public void NonFiniteScoringFeatureIsRejectedWithRowAndSlot()
    {
        using var model = _ml.Autoencoders().Autoencoder(Quick()).Fit(Data());
        var scored = model.Transform(Data(edit: rows => rows[5].Features[0] = float.NaN));
        var e = Assert.Throws<InvalidOperationException>(() => TestOptions.Column<float>(scored, "Score"));
        Assert.Contains("row 5, slot 0", e.Message);
    }

    [Fact]
    public void WrongVectorSizeAtScoringNamesBothSizes()
    {
        using var model = _ml.Autoencoders().Autoencoder(Quick()).Fit(Data());
        var other = SyntheticData.Load(_ml, SyntheticData.Manifold(10, 4), 4);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => model.Transform(other));
        Assert.Contains("'Features'", e.Message);
        Assert.Contains("Vector<Single, 6>", e.Message);
        Assert.Contains("Vector<Single, 4>", e.Message);
    }

    [Fact]
    public void MissingColumnListsTheAvailableOnes()
    {
        var options = Quick();
        options.FeatureColumnName = "Pixels";
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => _ml.Autoencoders().Autoencoder(options).Fit(Data()));
        Assert.Contains("'Pixels' was not found", e.Message);
        Assert.Contains("'Features'", e.Message);
        Assert.Contains("FeatureColumnName", e.Message);
    }

    [Fact]
    public void ScalarOrDoubleColumnIsRejectedWithConversionHint()
    {
        var rows = new[] { new { Features = 1.0, Label = 0f }, new { Features = 2.0, Label = 0f } };
        var data = _ml.Data.LoadFromEnumerable(rows.Select(r => new ScalarRow { Features = r.Features }));
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => _ml.Autoencoders().Autoencoder(Quick()).Fit(data));
        Assert.Contains("known-size vector of Single", e.Message);
        Assert.Contains("Double", e.Message);
        Assert.Contains("Concatenate", e.Message);
    }

    [Fact]
    public void EmptyDataIsRejected()
    {
        var empty = _ml.Data.FilterRowsByColumn(Data(), "Label", lowerBound: 5, upperBound: 6);
        var e = Assert.Throws<InvalidOperationException>(() => _ml.Autoencoders().Autoencoder(Quick()).Fit(empty));
        Assert.Contains("no rows", e.Message);
        Assert.Contains("'Features'", e.Message);
    }

    [Fact]
    public void ZeroVarianceDataIsRejected()
    {
        var constant = Enumerable.Range(0, 50).Select(_ => new FeatureRow { Features = [1, 2, 3, 4, 5, 6] });
        var e = Assert.Throws<InvalidOperationException>(() => _ml.Autoencoders().Autoencoder(Quick()).Fit(SyntheticData.Load(_ml, constant, Dimensions)));
        Assert.Contains("zero variance", e.Message);
        Assert.Contains("'Features'", e.Message);
    }

    [Fact]
    public void SomeConstantFeaturesOnlyWarnInTheLog()
    {
        var warnings = new List<string>();
        _ml.Log += (_, e) => { if (e.Kind == Microsoft.ML.Runtime.ChannelMessageKind.Warning) lock (warnings) warnings.Add(e.Message); };
        using var model = _ml.Autoencoders().Autoencoder(Quick()).Fit(Data(edit: rows => { foreach (var r in rows) r.Features[2] = 0.5f; }));
        Assert.Contains(warnings, w => w.Contains("constant") && w.Contains("slots 2"));
    }

    private List<string> Warnings()
    {
        var warnings = new List<string>();
        _ml.Log += (_, e) => { if (e.Kind == Microsoft.ML.Runtime.ChannelMessageKind.Warning) lock (warnings) warnings.Add(e.RawMessage); };
        return warnings;
    }

    [Fact]
    public void FewGradientStepsAreWarnedAbout()
    {
        var warnings = Warnings();
        var options = Quick();
        options.BatchSize = 256;
        using var model = _ml.Autoencoders().Autoencoder(options).Fit(Data(rows: 300));
        Assert.Contains(warnings, w => w.Contains("only 4 gradient steps") && w.Contains("BatchSize"));
    }

    [Fact]
    public void AnOvercompleteCodeIsWarnedAbout()
    {
        var warnings = Warnings();
        var options = Quick();
        options.LatentDimension = 10;   // the data has 6 features
        using var model = _ml.Autoencoders().Autoencoder(options).Fit(Data());
        Assert.Contains(warnings, w => w.Contains("LatentDimension 10") && w.Contains("6 features") && w.Contains("'Features'"));
        var fine = Warnings();
        using var narrow = _ml.Autoencoders().Autoencoder(Quick()).Fit(Data());
        Assert.DoesNotContain(fine, w => w.Contains("overcomplete"));
    }

    [Fact]
    public void FeaturesOnVeryDifferentScalesAreWarnedAbout()
    {
        var warnings = Warnings();
        using var model = _ml.Autoencoders().Autoencoder(Quick()).Fit(Data(edit: rows => { foreach (var r in rows) r.Features[0] *= 10_000; }));
        Assert.Contains(warnings, w => w.Contains("the widest feature spans") && w.Contains("NormalizeMeanVariance"));
    }

    [Fact]
    public void ACollapsedModelIsWarnedAboutAndAWellTrainedOneIsNot()
    {
        var collapsed = Warnings();
        var options = Quick();
        options.LearningRate = 1e-7; // effectively untrained: reconstructions stay near the initial constant output
        options.Epochs = 1;
        using (_ml.Autoencoders().Autoencoder(options).Fit(Data())) { }
        Assert.Contains(collapsed, w => w.Contains("no better than its column means"));

        collapsed.Clear();
        var trained = Quick();
        trained.Epochs = 40;
        using (_ml.Autoencoders().Autoencoder(trained).Fit(Data(rows: 1000))) { }
        Assert.DoesNotContain(collapsed, w => w.Contains("no better than its column means"));
    }

    [Fact]
    public void BinaryCrossEntropyRejectsValuesOutsideUnitInterval()
    {
        var options = Quick();
        options.Loss = ReconstructionLoss.BinaryCrossEntropy;
        options.OutputActivation = AutoencoderActivation.Sigmoid;
        var e = Assert.Throws<InvalidOperationException>(() => _ml.Autoencoders().Autoencoder(options).Fit(Data()));
        Assert.Contains("[0, 1]", e.Message);
        Assert.Contains("NormalizeMinMax", e.Message);
    }

    public static TheoryData<string, Action<AutoencoderOptions>> AbsurdOptions => new()
    {
        { "LatentDimension", o => o.LatentDimension = 0 },
        { "LatentDimension", o => o.LatentDimension = -3 },
        { "HiddenLayers[1]", o => o.HiddenLayers = [16, 0] },
        { "Epochs", o => o.Epochs = 0 },
        { "BatchSize", o => o.BatchSize = 0 },
        { "LearningRate", o => o.LearningRate = double.NaN },
        { "LearningRate", o => o.LearningRate = -1 },
        { "ValidationFraction", o => o.ValidationFraction = 1 },
        { "Contamination", o => o.Contamination = 0.9 },
        { "DropoutRate", o => o.DropoutRate = 1 },
        { "NumberOfThreads", o => o.NumberOfThreads = 0 },
        { "NoiseLevel", o => { o.Noise = InputNoise.Masking; o.NoiseLevel = 1.5; } },
        { "SparsityTarget", o => { o.Sparsity = SparsityPenalty.KullbackLeibler; o.SparsityTarget = 0; } },
        { "OutputActivation", o => o.Loss = ReconstructionLoss.BinaryCrossEntropy },
        { "LatentActivation", o => o.Sparsity = SparsityPenalty.KullbackLeibler },
        { "Activation", o => o.Activation = (AutoencoderActivation)42 },
        { "output column", o => { o.ScoreColumnName = null; o.PredictedLabelColumnName = null; o.LatentFeaturesColumnName = null; o.ReconstructionColumnName = null; o.ProbabilityColumnName = null; } },
        { "'Score' is used for more than one output", o => o.ReconstructionColumnName = "Score" },
        { "EnsembleSize", o => o.EnsembleSize = 0 },
        { "EnsembleSize", o => o.EnsembleSize = 100_000 },
        { "SubsampleFraction", o => o.SubsampleFraction = 0 },
        { "SubsampleFraction", o => o.SubsampleFraction = 1.5 },
        { "ScoreKind", o => o.ScoreKind = (AutoencoderScoreKind)7 },
    };

    [Theory]
    [MemberData(nameof(AbsurdOptions))]
    public void AbsurdOptionsAreRejectedWhenTheEstimatorIsCreated(string named, Action<AutoencoderOptions> edit)
    {
        var options = Quick();
        edit(options);
        var e = Assert.ThrowsAny<ArgumentException>(() => _ml.Autoencoders().Autoencoder(options));
        Assert.Contains(named, e.Message);
    }

    [Fact]
    public void OptionsAreSnapshotAtCreation()
    {
        // The estimator validates and copies the options when it is created (as Microsoft.Extensions.Options snapshots do):
        // later changes to the caller's object, valid or not, do not reach it.
        var options = Quick();
        options.ScoreColumnName = "Before";
        var estimator = _ml.Autoencoders().Autoencoder(options);
        options.Epochs = -1;
        options.ScoreColumnName = "After";
        options.HiddenLayers![0] = -5;
        using var model = estimator.Fit(Data());
        Assert.Equal(2, model.TrainingHistory.Count);
        Assert.Equal("Before", model.ScoreColumnName);
        Assert.Throws<ArgumentOutOfRangeException>(() => _ml.Autoencoders().Autoencoder(options)); // a new estimator sees the change
    }

    [Fact]
    public void DivergingTrainingFailsWithAdvice()
    {
        var options = Quick();
        options.LearningRate = 10;
        options.Optimizer = AutoencoderOptimizer.Sgd;
        var huge = Data(edit: rows => { foreach (var r in rows) for (int i = 0; i < r.Features.Length; i++) r.Features[i] *= 1e18f; });
        var e = Assert.Throws<InvalidOperationException>(() => _ml.Autoencoders().Autoencoder(options).Fit(huge));
        Assert.Contains("diverged", e.Message);
        Assert.Contains("normalize", e.Message);
    }

    private sealed class ScalarRow
    {
        public double Features { get; set; }
    }
}
