using AnomalyAE.Onnx;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace AnomalyAE.Tests;

/// <summary>
/// ONNX export: 10,000 rows scored by our (libtorch) transformer and by ML.NET's ApplyOnnxModel (ONNX Runtime) on the exported
/// file agree on every output, for every network variant and score kind, with and without ML.NET stages in front; the file
/// loads back through Autoencoders().Load as a libtorch-free transformer with the same columns.
/// </summary>
public sealed class OnnxExportTests : IDisposable
{
    private const int Dimensions = 10;
    private const int ScoredRows = 10_000;
    private const double Tolerance = 1e-5;
    private const string Contributions = "Contributions";
    private readonly MLContext _ml = new(seed: 1);
    private readonly string _folder = Directory.CreateTempSubdirectory("anomalyae-onnx-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    public static TheoryData<string> Variants => new()
    {
        "ae", "ae-mae", "ae-standardized", "ae-bce-batchnorm-gelu", "ae-neighbors", "ae-combined",
        "vae-reconstruction", "vae-elbo", "vae-probability", "ensemble-default",
    };

    private static AutoencoderOptionsBase Options(string variant)
    {
        AutoencoderOptionsBase options = variant switch
        {
            "ae" => TestOptions.Small(epochs: 5),
            "ae-mae" => Edit(TestOptions.Small(epochs: 5), o => o.ErrorMetric = ReconstructionErrorMetric.MeanAbsoluteError),
            "ae-standardized" => Edit(TestOptions.Small(epochs: 5), o => o.ErrorMetric = ReconstructionErrorMetric.StandardizedSquaredError),
            "ae-bce-batchnorm-gelu" => Edit(TestOptions.Small(epochs: 5), o =>
            {
                o.Loss = ReconstructionLoss.BinaryCrossEntropy;
                o.ErrorMetric = ReconstructionErrorMetric.BinaryCrossEntropy;
                o.OutputActivation = AutoencoderActivation.Sigmoid;
                o.Activation = AutoencoderActivation.GELU;
                o.BatchNormalization = true;
                o.DropoutRate = 0.1;
            }),
            "ae-neighbors" => Edit(TestOptions.Small(epochs: 5), o => o.ScoreKind = AutoencoderScoreKind.LatentNeighborDistance),
            "ae-combined" => Edit(TestOptions.Small(epochs: 5), o => o.ScoreKind = AutoencoderScoreKind.ReconstructionAndNeighborDistance),
            "vae-reconstruction" => TestOptions.Small(new VariationalAutoencoderOptions { ScoreKind = VariationalScoreKind.ReconstructionError }, epochs: 5, seed: 3),
            "vae-elbo" => TestOptions.Small(new VariationalAutoencoderOptions { ScoreKind = VariationalScoreKind.NegativeElbo }, epochs: 5, seed: 3),
            "vae-probability" => TestOptions.Small(new VariationalAutoencoderOptions
            {
                ScoreKind = VariationalScoreKind.ReconstructionProbability,
                Loss = ReconstructionLoss.BinaryCrossEntropy,
                OutputActivation = AutoencoderActivation.Sigmoid,
            }, epochs: 5, seed: 3),
            // The library's defaults (an ensemble of 8 scored by reconstruction and latent-neighbour distance), small and short.
            "ensemble-default" => new AutoencoderOptions { HiddenLayers = [16], LatentDimension = 3, Epochs = 4, Seed = 5, NumberOfThreads = 1 },
            _ => throw new ArgumentOutOfRangeException(nameof(variant)),
        };
        options.FeatureContributionsColumnName = Contributions;
        return options;
    }

    private static T Edit<T>(T options, Action<T> edit) { edit(options); return options; }

    private static bool NeedsUnitInterval(AutoencoderOptionsBase options) => options.Loss == ReconstructionLoss.BinaryCrossEntropy;

    /// <summary>Manifold rows; in [0, 1] for cross-entropy variants.</summary>
    private IDataView Rows(int count, int seed, bool unitInterval)
    {
        var rows = SyntheticData.Manifold(count, Dimensions, anomalyFraction: 0.02, seed: seed);
        if (unitInterval)
            foreach (var row in rows)
                for (int i = 0; i < Dimensions; i++) row.Features[i] = Math.Clamp((row.Features[i] + 1) / 2, 0, 1);
        return SyntheticData.Load(_ml, rows, Dimensions);
    }

    private ITransformer Fit(AutoencoderOptionsBase options, IDataView data) => options switch
    {
        AutoencoderOptions ae => _ml.Autoencoders().Autoencoder(ae).Fit(data),
        VariationalAutoencoderOptions vae => _ml.Autoencoders().VariationalAutoencoder(vae).Fit(data),
        _ => throw new ArgumentOutOfRangeException(nameof(options)),
    };

    [Theory]
    [MemberData(nameof(Variants))]
    public void ApplyOnnxModel_scores_like_the_transformer(string variant)
    {
        var options = Options(variant);
        bool unit = NeedsUnitInterval(options);
        using var model = (IDisposable)Fit(options, Rows(600, seed: 1, unit));
        var transformer = (ITransformer)model;
        var test = Rows(ScoredRows, seed: 2, unit);
        string path = Path.Combine(_folder, variant + ".onnx");
        _ml.Autoencoders().ExportToOnnx(transformer, test.Schema, path);

        var ours = transformer.Transform(test);
        var outputs = new[] { "Score", "PredictedLabel", "LatentFeatures", "Reconstruction", Contributions, "Probability" };
        var onnx = _ml.Transforms.ApplyOnnxModel(outputs, ["Features"], path).Fit(test).Transform(test);
        // Scores made of standardized terms (the combined kind, the ensemble) are compared in units of the IQR they were divided
        // by, at least 1: the terms agree within 1e-5 relative, and standardizing subtracts their median.
        bool standardized = variant is "ae-combined" or "ensemble-default";
        AssertSameOutputs(ours, onnx, ((IAnomalyDetector)transformer).Threshold, standardized ? 1f : 0f);

        // The probability graph is the calibration's piecewise-linear map: applied to ONNX's own scores it must agree to
        // float rounding (comparing with our probabilities would mix in the score's rounding times the map's slope).
        var calibration = ((AutoencoderTransformerBase)transformer).Calibration!;
        var onnxScores = Floats(onnx, "Score");
        var onnxProbabilities = Floats(onnx, "Probability");
        for (int i = 0; i < onnxScores.Length; i++)
            AssertClose(calibration.Probability(onnxScores[i]), onnxProbabilities[i], 1f, $"Probability of row {i}");
        Assert.Contains(onnxProbabilities, p => p > 0);
    }

    [Fact]
    public void A_chain_with_a_normalizer_exports_whole_and_loads_without_libtorch_types()
    {
        // Raw features scaled by 3 and shifted: the normalizer in front matters.
        var train = SyntheticData.Load(_ml, Scaled(600, seed: 1), Dimensions);
        var options = TestOptions.Small(epochs: 5);
        options.FeatureContributionsColumnName = Contributions;
        var chain = _ml.Transforms.NormalizeMinMax("Features").Append(_ml.Autoencoders().Autoencoder(options)).Fit(train);
        using var stage = (IDisposable)chain.LastTransformer;
        var test = SyntheticData.Load(_ml, Scaled(ScoredRows, seed: 2), Dimensions);
        string path = Path.Combine(_folder, "chain.onnx");
        using (var stream = File.Create(path)) _ml.Autoencoders().ExportToOnnx(chain, train.Schema, stream);

        var ours = chain.Transform(test);
        var onnx = _ml.Transforms.ApplyOnnxModel(["Score", "PredictedLabel", "LatentFeatures", "Reconstruction", Contributions], ["Features"], path).Fit(test).Transform(test);
        AssertSameOutputs(ours, onnx, chain.FindAnomalyDetector()!.Threshold);

        // Load recognizes the ONNX file and scores it with ONNX Runtime: same columns, same values, in batches and row by row.
        using var loaded = (OnnxScoringTransformer)_ml.Autoencoders().Load(path, out var inputSchema);
        Assert.Equal(train.Schema["Features"].Type, inputSchema["Features"].Type);
        var detector = loaded.FindAnomalyDetector()!;
        Assert.Equal(("Score", "PredictedLabel", "LatentFeatures", "Reconstruction", Contributions),
            (detector.ScoreColumnName, detector.PredictedLabelColumnName, detector.LatentFeaturesColumnName, detector.ReconstructionColumnName, detector.FeatureContributionsColumnName));
        Assert.Equal(chain.FindAnomalyDetector()!.Threshold, detector.Threshold);
        AssertSameOutputs(ours, loaded.Transform(test), detector.Threshold);

        var scores = TestOptions.Column<float>(ours, "Score");
        var engine = _ml.Model.CreatePredictionEngine<FeatureRow, ScoredRow>(loaded, new PredictionEngineOptions { OwnsTransformer = false, InputSchemaDefinition = FixedSize() });
        using var rowScorer = loaded.CreateRowScorer();
        var rows = Scaled(50, seed: 2);
        for (int i = 0; i < rows.Length; i++)
        {
            AssertClose(scores[i], engine.Predict(rows[i]).Score, Math.Abs(scores[i]), $"PredictionEngine row {i}");
            AssertClose(scores[i], rowScorer.Score(rows[i].Features), Math.Abs(scores[i]), $"row scorer row {i}");
        }
    }

    private static SchemaDefinition FixedSize()
    {
        var schema = SchemaDefinition.Create(typeof(FeatureRow));
        schema[nameof(FeatureRow.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, Dimensions);
        return schema;
    }

    private static FeatureRow[] Scaled(int count, int seed) =>
        [.. SyntheticData.Manifold(count, Dimensions, seed: seed).Select(r => { r.Features = [.. r.Features.Select(v => v * 3 + 5)]; return r; })];

    [Fact]
    public void A_stage_ML_NET_cannot_convert_is_named()
    {
        var data = Rows(200, seed: 1, unitInterval: false);
        var chain = _ml.Transforms.CustomMapping<FeatureRow, ExtraColumn>((input, output) => output.Extra = input.Label, contractName: null)
            .Append(_ml.Autoencoders().Autoencoder(TestOptions.Small(epochs: 1))).Fit(data);
        using var stage = (IDisposable)chain.LastTransformer;
        var error = Assert.Throws<NotSupportedException>(() => _ml.Autoencoders().ExportToOnnx(chain, data.Schema, new MemoryStream()));
        Assert.Contains("CustomMapping", error.Message);
    }

    [Fact]
    public void A_damaged_or_foreign_onnx_file_fails_naming_the_file_and_the_fix()
    {
        var data = Rows(200, seed: 1, unitInterval: false);
        using var model = _ml.Autoencoders().Autoencoder(TestOptions.Small(epochs: 1)).Fit(data);
        using var buffer = new MemoryStream();
        _ml.Autoencoders().ExportToOnnx(model, data.Schema, buffer);
        byte[] bytes = buffer.ToArray();

        string truncated = Path.Combine(_folder, "truncated.onnx");
        File.WriteAllBytes(truncated, bytes[..(bytes.Length / 2)]);
        var error = Assert.Throws<InvalidDataException>(() => _ml.Autoencoders().Load(truncated, out _));
        Assert.Contains(truncated, error.Message);

        // A valid ONNX model that AnomalyAE did not write (ML.NET's own export of a normalizer).
        string foreign = Path.Combine(_folder, "foreign.onnx");
        using (var file = File.Create(foreign)) _ml.Model.ConvertToOnnx(_ml.Transforms.NormalizeMinMax("Features").Fit(data), data, file);
        error = Assert.Throws<InvalidDataException>(() => _ml.Autoencoders().Load(foreign, out _));
        Assert.Contains(foreign, error.Message);
        Assert.Contains("ApplyOnnxModel", error.Message);

        // Metadata edited to promise an output the graph does not have, or a threshold that is not a number.
        foreach (var (edit, expected) in new (Func<string, string>, string)[]
        {
            (json => json.Replace("\"name\":\"Score\"", "\"name\":\"Nope\""), "'Nope'"),
            (json => System.Text.RegularExpressions.Regex.Replace(json, "\"threshold\":[^,]+", "\"threshold\":\"NaN\""), "threshold"),
        })
        {
            var proto = global::Onnx.ModelProto.Parser.ParseFrom(bytes);
            var info = proto.MetadataProps.Single(p => p.Key == "anomalyae.model");
            info.Value = edit(info.Value);
            string tampered = Path.Combine(_folder, "tampered.onnx");
            File.WriteAllBytes(tampered, Google.Protobuf.MessageExtensions.ToByteArray(proto));
            error = Assert.Throws<InvalidDataException>(() => _ml.Autoencoders().Load(tampered, out _));
            Assert.Contains(tampered, error.Message);
            Assert.Contains(expected, error.Message);
        }

        // The right bytes from a non-seekable stream load; garbage that starts like protobuf does not.
        using (var loaded = (OnnxScoringTransformer)_ml.Autoencoders().Load(new NonSeekable(bytes), out _)) Assert.Equal(model.Threshold, loaded.Threshold);
        Assert.Throws<InvalidDataException>(() => _ml.Autoencoders().Load(new MemoryStream([0x08, 0x07, 0xff, 0xff, 0xff]), out _));
    }

    private static void AssertSameOutputs(IDataView ours, IDataView onnx, float threshold, float scoreUnit = 0)
    {
        var expectedScores = TestOptions.Column<float>(ours, "Score");
        var actualScores = Floats(onnx, "Score");
        Assert.Equal(ScoredRows, actualScores.Length);
        // Relative to the value, and at least to the column's median magnitude: a standardized score near zero (combined, ensemble)
        // carries the rounding of the terms it was computed from.
        float scoreScale = Math.Max(Median(expectedScores.Select(Math.Abs)), scoreUnit);
        var expectedLabels = TestOptions.Column<bool>(ours, "PredictedLabel");
        var actualLabels = Booleans(onnx, "PredictedLabel");
        for (int i = 0; i < expectedScores.Length; i++)
        {
            AssertClose(expectedScores[i], actualScores[i], Math.Max(Math.Abs(expectedScores[i]), scoreScale), $"Score of row {i}");
            // The label follows the score; rows within rounding of the threshold may fall either side.
            if (Math.Abs(expectedScores[i] - threshold) > Tolerance * scoreScale) Assert.Equal(expectedLabels[i], actualLabels[i]);
        }
        foreach (var column in new[] { "LatentFeatures", "Reconstruction", Contributions })
        {
            var expected = TestOptions.Vectors(ours, column);
            var actual = TestOptions.Vectors(onnx, column);
            float columnScale = Median(expected.Select(row => row.Select(Math.Abs).Max()));
            for (int i = 0; i < expected.Length; i++)
            {
                // Relative to the row's largest value, at least the column's median one: elements near zero are compared at that scale.
                float scale = Math.Max(expected[i].Select(Math.Abs).Max(), columnScale);
                for (int j = 0; j < expected[i].Length; j++) AssertClose(expected[i][j], actual[i][j], scale, $"{column}[{j}] of row {i}");
            }
        }
    }

    private static float Median(IEnumerable<float> values)
    {
        var sorted = values.Order().ToArray();
        return sorted[sorted.Length / 2];
    }

    private static void AssertClose(float expected, float actual, float scale, string what)
    {
        double allowed = Tolerance * scale;
        Assert.True(Math.Abs(expected - actual) <= allowed, $"{what}: libtorch {expected}, ONNX {actual} (difference {Math.Abs(expected - actual)}, allowed {allowed}).");
    }

    // ApplyOnnxModel shapes a [N] output as a vector per row; our transformer as a scalar.
    private static float[] Floats(IDataView data, string column) => data.Schema[column].Type is VectorDataViewType
        ? [.. TestOptions.Vectors(data, column).Select(v => v[0])]
        : TestOptions.Column<float>(data, column);

    private static bool[] Booleans(IDataView data, string column)
    {
        if (data.Schema[column].Type is not VectorDataViewType) return TestOptions.Column<bool>(data, column);
        return [.. data.GetColumn<VBuffer<bool>>(column).Select(v => v.GetItemOrDefault(0))];
    }

    private sealed class ExtraColumn
    {
        public float Extra { get; set; }
    }

    private sealed class ScoredRow
    {
        public float Score { get; set; }
    }

    private sealed class NonSeekable(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
        public override long Length => throw new NotSupportedException();
    }
}
