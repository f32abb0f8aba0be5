using System.IO.Compression;
using System.Text.Json.Nodes;
using AnomalyAE.DataViews;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace AnomalyAE.Tests.Series;

/// <summary>
/// A sequence model as a whole: every architecture trains and finds planted pattern anomalies, same seed gives the same
/// scores, it saves and loads (signed too), its window model serves one window per row (PredictionEngine, ONNX), and the
/// row-per-step stage itself is refused by ONNX export with the way out.
/// </summary>
public sealed class SequenceModelTests : IDisposable
{
    private const int Channels = 3, Window = 16;
    private readonly MLContext _ml = new(seed: 1);
    private readonly string _folder = Directory.CreateTempSubdirectory("anomalyae-sequence-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static SequenceAutoencoderOptions Options(SequenceArchitecture architecture = SequenceArchitecture.Dense, RecurrentCell cell = RecurrentCell.Gru, int seed = 3,
        bool batchNormalization = false) => new()
    {
        WindowSize = Window, Architecture = architecture, Cell = cell, Epochs = 12, BatchSize = 32, LearningRate = 3e-3, Seed = seed, NumberOfThreads = 1,
        HiddenLayers = architecture == SequenceArchitecture.Dense ? null : [16], LatentDimension = 8, FeatureContributionsColumnName = "Contributions",
        BatchNormalization = batchNormalization, DropoutRate = batchNormalization ? 0.1 : 0,
    };

    // The Dense architecture with batch normalization and dropout scores through folded stacks (FrozenStack): its scores must
    // still match the saved model's and the ONNX graph's, which keeps BatchNormalization as a node.
    public static TheoryData<SequenceArchitecture, RecurrentCell, bool> Architectures => new()
    {
        { SequenceArchitecture.Dense, RecurrentCell.Gru, false },
        { SequenceArchitecture.Dense, RecurrentCell.Gru, true },
        { SequenceArchitecture.Convolutional, RecurrentCell.Gru, false },
        { SequenceArchitecture.Recurrent, RecurrentCell.Gru, false },
        { SequenceArchitecture.Recurrent, RecurrentCell.Lstm, false },
    };

    [Theory]
    [MemberData(nameof(Architectures))]
    public void EveryArchitectureFindsPlantedPatternsSavesLoadsAndExportsItsWindowModel(SequenceArchitecture architecture, RecurrentCell cell, bool batchNormalization)
    {
        var train = SeriesData.View(SeriesData.Waves(1500, Channels, seed: 1).Rows);
        var (rows, planted) = SeriesData.Waves(800, Channels, seed: 2, [(200, 16, false), (500, 16, true)]);
        var test = SeriesData.View(rows);
        using var model = _ml.Autoencoders().SequenceAutoencoder(Options(architecture, cell, batchNormalization: batchNormalization)).Fit(train);
        Assert.True(model.TrainingHistory[^1].TrainingLoss < model.TrainingHistory[0].TrainingLoss, "the loss went down");
        var scored = model.Transform(test);
        var scores = TestOptions.Column<float>(scored, "Score");
        double auc = SeriesData.Auc(scores, end =>
        {
            int inside = Enumerable.Range(Math.Max(0, end - Window + 1), Math.Min(Window, end + 1)).Count(t => planted[t]);
            return inside >= Window / 4 ? true : inside == 0 ? false : null;
        });
        Assert.True(auc > 0.9, $"{architecture} {cell} (batch normalization {batchNormalization}): AUC {auc:F3}");

        // Save → load, in this process: identical outputs.
        string path = Path.Combine(_folder, $"{architecture}-{cell}-{batchNormalization}.aeml");
        _ml.Autoencoders().Save(model, train.Schema, path);
        using (var loaded = (SequenceAutoencoderTransformer)_ml.Autoencoders().Load(path, out _))
        {
            var again = loaded.Transform(test);
            Assert.Equal(scores, TestOptions.Column<float>(again, "Score"));
            Assert.Equal(Flat(TestOptions.Vectors(scored, "Contributions")), Flat(TestOptions.Vectors(again, "Contributions")));
            Assert.Equal(Flat(TestOptions.Vectors(scored, "Reconstruction")), Flat(TestOptions.Vectors(again, "Reconstruction")));
        }

        // The window model's ONNX graph scores windows as libtorch does.
        var windows = Windows(rows);
        string onnxPath = Path.Combine(_folder, $"{architecture}-{cell}-{batchNormalization}.onnx");
        _ml.Autoencoders().ExportToOnnx(model.WindowModel, windows.Schema, onnxPath);
        var ours = model.WindowModel.Transform(windows);
        var onnx = _ml.Transforms.ApplyOnnxModel(["Score", "LatentFeatures", "Reconstruction", "Contributions"], ["Window"], onnxPath).Fit(windows).Transform(windows);
        AssertClose(TestOptions.Column<float>(ours, "Score"), Flat(TestOptions.Vectors(onnx, "Score")), "Score");   // ApplyOnnxModel reads [N] as Vector<Single, 1>
        foreach (var column in new[] { "LatentFeatures", "Reconstruction", "Contributions" })
            AssertClose(Flat(TestOptions.Vectors(ours, column)), Flat(TestOptions.Vectors(onnx, column)), column);
    }

    [Fact]
    public void WithoutAScoreBaselineTheWindowModelScoresAWindowAsTheRowItEndsAt()
    {
        var rows = SeriesData.Waves(400, Channels, seed: 1).Rows;
        var options = Options();
        options.ScoreBaselineSteps = 0;
        using var model = _ml.Autoencoders().SequenceAutoencoder(options).Fit(SeriesData.View(rows));
        Assert.Equal(model.WindowModel.Threshold, model.Threshold);
        var scores = TestOptions.Column<float>(model.Transform(SeriesData.View(rows)), "Score");
        using var engine = _ml.Model.CreatePredictionEngine<WindowInput, WindowOutput>(model.WindowModel, new PredictionEngineOptions { OwnsTransformer = false });
        for (int end = Window - 1; end < rows.Length; end += 37)
        {
            var window = rows[(end - Window + 1)..(end + 1)].SelectMany(r => r).ToArray();
            var output = engine.Predict(new WindowInput { Window = window });
            Assert.Equal(scores[end], output.Score, 1e-5f * Math.Max(1, Math.Abs(scores[end])));
            Assert.Equal(output.Score > model.Threshold, output.PredictedLabel);
        }
    }

    [Fact]
    public void UnderTheDefaultScoreBaselineAStepsScoreIsItsWindowScoreRelativeToTheSeriesEarlierOnes()
    {
        var rows = SeriesData.Waves(700, Channels, seed: 1).Rows;
        using var model = _ml.Autoencoders().SequenceAutoencoder(Options()).Fit(SeriesData.View(rows[..400]));
        Assert.Equal(new SequenceAutoencoderOptions().ScoreBaselineSteps, model.ScoreBaselineSteps);
        var scored = model.Transform(SeriesData.View(rows));
        var scores = TestOptions.Column<float>(scored, "Score");
        var labels = TestOptions.Column<bool>(scored, "PredictedLabel");
        using var engine = _ml.Model.CreatePredictionEngine<WindowInput, WindowOutput>(model.WindowModel, new PredictionEngineOptions { OwnsTransformer = false });
        var baseline = model.NewBaseline()!;
        for (int end = Window - 1; end < rows.Length; end++)
        {
            float window = engine.Predict(new WindowInput { Window = rows[(end - Window + 1)..(end + 1)].SelectMany(r => r).ToArray() }).Score;
            float expected = baseline.Relative(0, window, runStarts: end == Window - 1);
            Assert.Equal(expected, scores[end], 1e-4f * Math.Max(1, Math.Abs(expected)));
            Assert.Equal(scores[end] > model.Threshold, labels[end]);
        }
        // The threshold is read on the training steps' relative scores (robust z units), not on the reconstruction error.
        Assert.NotEqual(model.WindowModel.Threshold, model.Threshold);
        Assert.InRange(model.Threshold, 1, 50);
    }

    [Fact]
    public void TheSameSeedGivesTheSameScoresAndAnotherSeedOthers()
    {
        var rows = SeriesData.Waves(500, Channels, seed: 1).Rows;
        float[] Scores(int seed)
        {
            using var model = _ml.Autoencoders().SequenceAutoencoder(Options(SequenceArchitecture.Recurrent, seed: seed)).Fit(SeriesData.View(rows));
            return TestOptions.Column<float>(model.Transform(SeriesData.View(rows)), "Score");
        }
        Assert.Equal(Scores(3), Scores(3));
        Assert.NotEqual(Scores(3), Scores(4));
    }

    [Fact]
    public void ASavedSequenceModelIsFormatThreeSignsAndExportRefusesTheRowStageWithTheWayOut()
    {
        var rows = SeriesData.Waves(300, Channels, seed: 1).Rows;
        var data = SeriesData.View(rows);
        using var model = _ml.Transforms.NormalizeMeanVariance("Features").Append(_ml.Autoencoders().SequenceAutoencoder(Options())).Fit(data);
        string path = Path.Combine(_folder, "chain.aeml");
        var key = ModelSigningKey.Generate();
        _ml.Autoencoders().Save(model, data.Schema, path, key);
        using (var archive = ZipFile.OpenRead(path))
        using (var manifest = archive.GetEntry("manifest.json")!.Open())
        {
            var json = JsonNode.Parse(manifest)!;
            Assert.Equal(3, (int)json["FormatVersion"]!);
            Assert.Equal("sequence", (string)json["Stages"]![1]!["Kind"]!);
            Assert.Equal(Window, (int)json["Stages"]![1]!["Sequence"]!["Settings"]!["WindowSize"]!);
        }
        using (var loaded = (IDisposable)_ml.Autoencoders().Load(path, key, out var schema))
        {
            var detector = ((ITransformer)loaded).FindAnomalyDetector()!;
            Assert.Equal("Score", detector.ScoreColumnName);
            Assert.Equal(TestOptions.Column<float>(model.Transform(data), "Score"), TestOptions.Column<float>(((ITransformer)loaded).Transform(data), "Score"));
            var contract = ScoringContract.For((ITransformer)loaded, schema);
            Assert.Equal(["Score", "PredictedLabel", "LatentFeatures", "Reconstruction", "Contributions", "Probability"], contract.Outputs.Select(o => o.Name));
        }
        var tampered = Assert.Throws<InvalidDataException>(() => _ml.Autoencoders().Load(path, ModelSigningKey.Generate(), out _));
        Assert.Contains("another key", tampered.Message);

        var e = Assert.Throws<NotSupportedException>(() => _ml.Autoencoders().ExportToOnnx(model, data.Schema, Path.Combine(_folder, "chain.onnx")));
        Assert.Contains("Export its window model instead", e.Message);
        Assert.Contains($"Vector<Single, {Window * Channels}>", e.Message);
    }

    [Fact]
    public void AFileWithoutAScoreBaselineLoadsScoringTheRawErrorAndABrokenBaselineIsRefused()
    {
        // Files saved before the baseline existed have no Baseline record: they score as they did, by the window's error.
        var rows = SeriesData.Waves(400, Channels, seed: 1).Rows;
        var data = SeriesData.View(rows);
        using var saved = new MemoryStream();
        float[] raw;
        using (var model = _ml.Autoencoders().SequenceAutoencoder(Options()).Fit(data))
        {
            Assert.True(model.ScoreBaselineSteps > 0);
            raw = TestOptions.Column<float>(model.WindowModel.Transform(Windows(rows)), "Score");
            _ml.Autoencoders().Save(model, data.Schema, saved);
        }
        byte[] Edited(Action<JsonObject> edit) => ModelFileEditor.EditManifest(saved.ToArray(), manifest =>
            edit(manifest["Stages"]!.AsArray().Single(s => (string?)s!["Kind"] == "sequence")!["Sequence"]!["Settings"]!.AsObject()), reseal: true);

        using (var old = (SequenceAutoencoderTransformer)_ml.Autoencoders().Load(new MemoryStream(Edited(settings => settings.Remove("Baseline"))), out _))
        {
            Assert.Equal(0, old.ScoreBaselineSteps);
            Assert.Equal(old.WindowModel.Threshold, old.Threshold);
            AssertClose(raw, TestOptions.Column<float>(old.Transform(data), "Score")[(Window - 1)..], "Score");
        }
        var steps = Assert.Throws<InvalidDataException>(() => _ml.Autoencoders().Load(new MemoryStream(Edited(settings => settings["Baseline"]!["Steps"] = 5)), out _));
        Assert.Contains("Steps must be in [100, 1000000]; got 5", steps.Message);
        var spread = Assert.Throws<InvalidDataException>(() => _ml.Autoencoders().Load(new MemoryStream(Edited(settings => settings["Baseline"]!["StartSpread"] = 0)), out _));
        Assert.Contains("positive spread", spread.Message);
    }

    /// <summary>Every window of <paramref name="rows"/> as a column "Window".</summary>
    private static IDataView Windows(float[][] rows) =>
        new ColumnarDataView.Builder().AddVector("Window", Window * Channels,
            [.. Enumerable.Range(Window - 1, rows.Length - Window + 1).Select(end => rows[(end - Window + 1)..(end + 1)].SelectMany(r => r).ToArray())]).Build();

    private static float[] Flat(float[][] rows) => [.. rows.SelectMany(r => r)];

    private static void AssertClose(float[] expected, float[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            if (float.IsNaN(expected[i])) { Assert.True(float.IsNaN(actual[i]), $"{what}[{i}]"); continue; }
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-5 * Math.Max(1, Math.Abs(expected[i])) + 1e-6, $"{what}[{i}]: {expected[i]} vs {actual[i]}");
        }
    }

    private sealed class WindowInput
    {
        [VectorType(SequenceModelTests.Window * SequenceModelTests.Channels)] public float[] Window { get; set; } = [];
    }

    private sealed class WindowOutput
    {
        public float Score { get; set; }
        public bool PredictedLabel { get; set; }
    }
}
