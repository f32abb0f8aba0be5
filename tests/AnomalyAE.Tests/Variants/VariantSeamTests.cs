using AnomalyAE.Networks;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace AnomalyAE.Tests.Variants;

/// <summary>
/// The seam for new network kinds: a kind defined outside the library (<see cref="TiedAutoencoder"/>, with its options and
/// spec) is registered in one line, then trains, scores, saves, loads, exports to ONNX and serves through the public
/// scoring contract like the library's own kinds. Only registered kinds load from a file.
/// </summary>
public sealed class VariantSeamTests : IDisposable
{
    private const int Dimensions = 10;
    private readonly MLContext _ml = new(seed: 1);
    private readonly string _folder = Directory.CreateTempSubdirectory("anomalyae-variant-").FullName;

    public VariantSeamTests() => NetworkKinds.Register<TiedAutoencoderSpec>("tied-autoencoder");   // the one line

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static TiedAutoencoderOptions Options(int ensembleSize = 1) => new()
    {
        LatentDimension = 3, Epochs = 30, BatchSize = 64, LearningRate = 1e-2, Seed = 4, NumberOfThreads = 1, Contamination = 0.02,
        EnsembleSize = ensembleSize, FeatureContributionsColumnName = "Contributions",
    };

    [Fact]
    public void AKindOfOneOwnTrainsSavesLoadsExportsAndServesLikeTheLibrarysKinds()
    {
        var train = SyntheticData.Load(_ml, SyntheticData.Manifold(1000, Dimensions, anomalyFraction: 0.02), Dimensions);
        using var model = _ml.Autoencoders().Variant(Options()).Fit(train);
        Assert.True(model.TrainingHistory[^1].TrainingLoss < model.TrainingHistory[0].TrainingLoss, "the loss went down");

        // Planted anomalies (uniform points off the manifold) are ranked on top.
        var test = SyntheticData.Manifold(1000, Dimensions, anomalyFraction: 0.05, seed: 9);
        var scored = model.Transform(SyntheticData.Load(_ml, test, Dimensions));
        var scores = scored.GetColumn<float>("Score").ToArray();
        double auc = Auc(scores, [.. test.Select(r => r.Label == 1)]);
        Assert.True(auc > 0.95, $"AUC {auc:F3}");

        // Save → load: the spec is written under its kind's name and rebuilt from it; identical scores.
        string path = Path.Combine(_folder, "tied.aeml");
        _ml.Autoencoders().Save(model, train.Schema, path);
        using (var loaded = (ITransformer)_ml.Autoencoders().Load(path, out _) as IDisposable)
            Assert.Equal(scores, ((ITransformer)loaded!).Transform(SyntheticData.Load(_ml, test, Dimensions)).GetColumn<float>("Score").ToArray());

        // ONNX export, scored by ONNX Runtime through the public serving contract.
        string onnxPath = Path.Combine(_folder, "tied.onnx");
        _ml.Autoencoders().ExportToOnnx(model, train.Schema, onnxPath);
        using var served = ScoringModelFile.Load(onnxPath);
        Assert.Equal(["Score", "PredictedLabel", "LatentFeatures", "Reconstruction", "Contributions", "Probability"], served.Contract.Outputs.Select(o => o.Name));
        Assert.Equal("Features", Assert.Single(served.Contract.Inputs).Name);
        var onnxScores = served.Model.Transform(SyntheticData.Load(_ml, test, Dimensions)).GetColumn<float>(served.Contract.ScoreColumnName).ToArray();
        for (int i = 0; i < scores.Length; i++) Assert.True(Math.Abs(scores[i] - onnxScores[i]) <= 1e-5 * Math.Max(1, Math.Abs(scores[i])), $"row {i}: {scores[i]} vs {onnxScores[i]}");
    }

    [Fact]
    public void AnEnsembleTakesMembersOfAnyRegisteredKind()
    {
        var train = SyntheticData.Load(_ml, SyntheticData.Manifold(600, Dimensions, anomalyFraction: 0.02), Dimensions);
        using var model = _ml.Autoencoders().Variant(Options(ensembleSize: 3)).Fit(train);
        string path = Path.Combine(_folder, "tied-ensemble.aeml");
        _ml.Autoencoders().Save(model, train.Schema, path);
        using var served = ScoringModelFile.Load(path);
        var data = SyntheticData.Load(_ml, SyntheticData.Manifold(200, Dimensions, seed: 5), Dimensions);
        Assert.Equal(model.Transform(data).GetColumn<float>("Score").ToArray(), served.Model.Transform(data).GetColumn<float>("Score").ToArray());
    }

    [Fact]
    public void TheKindsOwnRulesCheckItsOptionsAndItsModelFiles()
    {
        var options = Options();
        options.Shrinkage = -1;
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => _ml.Autoencoders().Variant(options));
        Assert.Contains("Shrinkage must be in [0, 10]; got -1", e.Message);

        var train = SyntheticData.Load(_ml, SyntheticData.Manifold(300, Dimensions), Dimensions);
        using var model = _ml.Autoencoders().Variant(Options()).Fit(train);
        string path = Path.Combine(_folder, "edited.aeml");
        _ml.Autoencoders().Save(model, train.Schema, path);
        var edited = ModelFileEditor.EditManifest(File.ReadAllBytes(path), manifest => manifest["Stages"]![0]!["Spec"]!["Shrinkage"] = 99, reseal: true);
        var error = Assert.Throws<InvalidDataException>(() => _ml.Autoencoders().Load(new MemoryStream(edited), out _));
        Assert.Contains("Shrinkage must be in [0, 10]; got 99", error.Message);
    }

    [Fact]
    public void AFileNamingAKindThatIsNotRegisteredIsRefused()
    {
        var train = SyntheticData.Load(_ml, SyntheticData.Manifold(300, Dimensions), Dimensions);
        using var model = _ml.Autoencoders().Variant(Options()).Fit(train);
        string path = Path.Combine(_folder, "renamed.aeml");
        _ml.Autoencoders().Save(model, train.Schema, path);
        var edited = ModelFileEditor.EditManifest(File.ReadAllBytes(path), manifest => manifest["Stages"]![0]!["Spec"]!["network"] = "System.IO.FileInfo", reseal: true);
        var error = Assert.Throws<InvalidDataException>(() => _ml.Autoencoders().Load(new MemoryStream(edited), out _));
        Assert.Contains("System.IO.FileInfo", error.Message);
        Assert.Contains("tied-autoencoder", error.Message);   // the registered kinds are listed
    }

    private static double Auc(float[] scores, bool[] anomalies)
    {
        var positives = scores.Where((_, i) => anomalies[i]).ToArray();
        var negatives = scores.Where((_, i) => !anomalies[i]).ToArray();
        double wins = positives.Sum(p => negatives.Sum(n => p > n ? 1.0 : p == n ? 0.5 : 0));
        return wins / ((double)positives.Length * negatives.Length);
    }
}
