using AnomalyAE.Training;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace AnomalyAE.Tests;

/// <summary>
/// The FeatureContributions column (each feature's share of the row's reconstruction error) and the automatic threshold
/// (Contamination = null: median + k · MAD of the training scores).
/// </summary>
public sealed class FeatureContributionsTests : IDisposable
{
    private const int Dimensions = 10;
    private const int PushedFeature = 3;
    private const string Contributions = AutoencoderOptions.Defaults.FeatureContributionsColumnName;
    private static readonly string[] Names = [.. Enumerable.Range(0, Dimensions).Select(i => $"sensor_{i}")];
    private readonly MLContext _ml = new(seed: 1);
    private readonly string _folder = Directory.CreateTempSubdirectory("anomalyae-contributions-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    /// <summary>Rows with slot names on the feature vector, as a Concatenate of named columns would give.</summary>
    private IDataView Load(IEnumerable<FeatureRow> rows)
    {
        var schema = SchemaDefinition.Create(typeof(FeatureRow));
        var column = schema[nameof(FeatureRow.Features)];
        column.ColumnType = new VectorDataViewType(NumberDataViewType.Single, Dimensions);
        var names = new VBuffer<ReadOnlyMemory<char>>(Dimensions, [.. Names.Select(n => n.AsMemory())]);
        column.AddAnnotation("SlotNames", names, new VectorDataViewType(TextDataViewType.Instance, Dimensions));
        return _ml.Data.LoadFromEnumerable(rows, schema);
    }

    private IDataView Training() => Load(SyntheticData.Manifold(600, Dimensions, anomalyFraction: 0, seed: 1));

    /// <summary>Fresh normal rows with one feature pushed off the manifold (the shift is far beyond the noise, 0.02).</summary>
    private IDataView Pushed() => Load(PushedRows());

    private static FeatureRow[] PushedRows() => [.. SyntheticData.Manifold(200, Dimensions, anomalyFraction: 0, seed: 2)
        .Select(r => { r.Features[PushedFeature] += r.Features[PushedFeature] > 0 ? -1.2f : 1.2f; r.Label = 1; return r; })];

    private static AutoencoderOptionsBase Variant(string variant) => variant switch
    {
        "ae" => TestOptions.Small(epochs: 60),
        "ae-mae" => Set(TestOptions.Small(epochs: 60), o => o.ErrorMetric = ReconstructionErrorMetric.MeanAbsoluteError),
        "ae-neighbors" => Set(TestOptions.Small(epochs: 60), o => o.ScoreKind = AutoencoderScoreKind.ReconstructionAndNeighborDistance),
        "ensemble" => Set(TestOptions.Small(epochs: 60), o => o.EnsembleSize = 3),
        "vae" => TestOptions.Small(new VariationalAutoencoderOptions { ScoreKind = VariationalScoreKind.ReconstructionProbability, Beta = 0.1 }, epochs: 60, seed: 7),
        _ => throw new ArgumentOutOfRangeException(nameof(variant)),
    };

    private static T Set<T>(T options, Action<T> edit) { edit(options); return options; }

    private ITransformer Fit(AutoencoderOptionsBase options, IDataView data)
    {
        options.FeatureContributionsColumnName = Contributions;
        return options switch
        {
            AutoencoderOptions ae => _ml.Autoencoders().Autoencoder(ae).Fit(data),
            VariationalAutoencoderOptions vae => _ml.Autoencoders().VariationalAutoencoder(vae).Fit(data),
            _ => throw new ArgumentOutOfRangeException(nameof(options)),
        };
    }

    private static void AssertShares(float[][] shares)
    {
        foreach (var row in shares)
        {
            Assert.Equal(Dimensions, row.Length);
            Assert.All(row, s => Assert.InRange(s, 0f, 1f));
            Assert.Equal(1.0, row.Sum(s => (double)s), 4);
        }
    }

    [Theory]
    [InlineData("ae")]
    [InlineData("ae-mae")]
    [InlineData("ae-neighbors")]
    [InlineData("ensemble")]
    [InlineData("vae")]
    public void FeaturePushedOffTheManifoldIsTheTopContribution(string variant)
    {
        var model = Fit(Variant(variant), Training());
        try
        {
            var scored = model.Transform(Pushed());
            var shares = TestOptions.Vectors(scored, Contributions);
            AssertShares(shares);
            AssertShares(TestOptions.Vectors(model.Transform(Training()), Contributions));
            int named = shares.Count(row => Array.IndexOf(row, row.Max()) == PushedFeature);
            Assert.True(named >= 0.9 * shares.Length, $"{variant}: the pushed feature was the top contribution in {named} of {shares.Length} rows.");

            VBuffer<ReadOnlyMemory<char>> slotNames = default;
            scored.Schema[Contributions].GetSlotNames(ref slotNames);
            Assert.Equal(Names, slotNames.DenseValues().Select(n => n.ToString()));
        }
        finally
        {
            (model as IDisposable)?.Dispose();
        }
    }

    [Fact]
    public void ColumnIsOffByDefaultAndLeavesScoresUnchanged()
    {
        Assert.Null(new AutoencoderOptions().FeatureContributionsColumnName);
        using var without = _ml.Autoencoders().Autoencoder(TestOptions.Small(epochs: 5)).Fit(Training());
        using var with = _ml.Autoencoders().Autoencoder(Set(TestOptions.Small(epochs: 5), o => o.FeatureContributionsColumnName = Contributions)).Fit(Training());
        Assert.Null(without.FeatureContributionsColumnName);
        Assert.Null(without.GetOutputSchema(Training().Schema).GetColumnOrNull(Contributions));
        Assert.Equal(Contributions, with.FeatureContributionsColumnName);
        Assert.Contains(Contributions, with.OutputColumnNames);
        Assert.Equal(without.Threshold, with.Threshold);
        Assert.Equal(TestOptions.Column<float>(without.Transform(Pushed()), "Score"), TestOptions.Column<float>(with.Transform(Pushed()), "Score"));
    }

    [Theory]
    [InlineData("ae")]
    [InlineData("vae")]
    [InlineData("ensemble")]
    public void SaveAndLoadKeepTheColumnAndPredictionEngineReadsIt(string variant)
    {
        var options = Variant(variant);
        options.Epochs = 3;
        var model = Fit(options, Training());
        string path = Path.Combine(_folder, $"{variant}.aeml");
        float[][] before;
        try
        {
            before = TestOptions.Vectors(model.Transform(Pushed()), Contributions);
            _ml.Autoencoders().Save(model, Training().Schema, path);
        }
        finally
        {
            (model as IDisposable)?.Dispose();
        }
        var loaded = _ml.Autoencoders().Load(path, out _);
        try
        {
            Assert.Equal(Contributions, loaded.FindAnomalyDetector()!.FeatureContributionsColumnName);
            var after = TestOptions.Vectors(loaded.Transform(Pushed()), Contributions);
            Assert.Equal(before.Length, after.Length);
            for (int i = 0; i < before.Length; i++) Assert.Equal(before[i], after[i]);

            using var engine = _ml.Model.CreatePredictionEngine<Input, Prediction>(loaded, new PredictionEngineOptions { OwnsTransformer = false });
            var prediction = engine.Predict(new Input { Features = PushedRows()[0].Features });
            // One row alone goes through other matrix kernels than a batch: equal to float rounding.
            Assert.Equal(before[0].Length, prediction.FeatureContributions.Length);
            for (int j = 0; j < Dimensions; j++) Assert.Equal(before[0][j], prediction.FeatureContributions[j], 5);
        }
        finally
        {
            (loaded as IDisposable)?.Dispose();
        }
    }

    private sealed class Input
    {
        [VectorType(Dimensions)] public float[] Features { get; set; } = [];
    }

    private sealed class Prediction
    {
        [VectorType(Dimensions)] public float[] FeatureContributions { get; set; } = [];
    }

    [Fact]
    public void OptionsRejectAContributionsNameThatCollides()
    {
        var options = TestOptions.Small(epochs: 1);
        options.FeatureContributionsColumnName = options.ScoreColumnName;
        Assert.ThrowsAny<ArgumentException>(() => _ml.Autoencoders().Autoencoder(options));
    }

    [Fact]
    public void AutomaticThresholdIsMedianPlusThreeScaledMads()
    {
        float[] scores = [1, 2, 3, 4, 100];   // median 3, MAD 1
        Assert.Equal(3 + 3 * 1.4826, ScoreQuantile.Automatic(scores, 3), 4);
        Assert.Equal(5f, ScoreQuantile.Automatic([5, 5, 5], 3));   // no spread: nothing in training is flagged
    }

    [Fact]
    public void AutomaticThresholdFlagsAPlantedTwoPercentContamination()
    {
        var rows = SyntheticData.Manifold(1000, 20, anomalyFraction: 0.02, seed: 3);
        var data = SyntheticData.Load(_ml, rows, 20);
        var options = TestOptions.Small(epochs: 60);
        options.Contamination = null;
        using var model = _ml.Autoencoders().Autoencoder(options).Fit(data);
        var predicted = TestOptions.Column<bool>(model.Transform(data), "PredictedLabel");
        int anomalies = rows.Count(r => r.Label == 1), normal = rows.Length - anomalies;
        double recall = rows.Where((r, i) => r.Label == 1 && predicted[i]).Count() / (double)anomalies;
        double falsePositiveRate = rows.Where((r, i) => r.Label == 0 && predicted[i]).Count() / (double)normal;
        Assert.Equal(20, anomalies);
        Assert.True(recall >= 0.8, $"recall {recall:P1}");
        Assert.True(falsePositiveRate <= 0.1, $"false-positive rate {falsePositiveRate:P1}");
    }

    [Fact]
    public void ContaminationNullIsAcceptedAndANumberIsStillRangeChecked()
    {
        var options = TestOptions.Small(epochs: 1);
        options.Contamination = null;
        options.RobustTraining = true;
        _ = _ml.Autoencoders().Autoencoder(options);
        options.Contamination = 0.9;
        Assert.ThrowsAny<ArgumentException>(() => _ml.Autoencoders().Autoencoder(options));
    }
}
