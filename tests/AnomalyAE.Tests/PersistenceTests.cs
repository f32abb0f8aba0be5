using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace AnomalyAE.Tests;

/// <summary>ml.Autoencoders().Save/Load: any chain shape, bit-identical results, fresh processes, atomic writes, damaged files.</summary>
public sealed class PersistenceTests : IDisposable
{
    private const int Dimensions = 8;
    private readonly MLContext _ml = new(seed: 1);
    private readonly string _folder = Directory.CreateTempSubdirectory("anomalyae-persistence-").FullName;
    private readonly FeatureRow[] _rows;
    private readonly IDataView _data;

    public PersistenceTests()
    {
        _rows = SyntheticData.Manifold(300, Dimensions).Select(r => new FeatureRow { Features = r.Features.Select(v => v * 4 + 1).ToArray(), Label = r.Label }).ToArray();
        _data = SyntheticData.Load(_ml, _rows, Dimensions);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string PathOf(string name) => Path.Combine(_folder, name);

    private AutoencoderEstimator Autoencoder(string features = "Features") => _ml.Autoencoders().Autoencoder(new AutoencoderOptions
    {
        FeatureColumnName = features, HiddenLayers = [16], LatentDimension = 3, Epochs = 3, Seed = 2, NumberOfThreads = 1,
        DropoutRate = 0.1, BatchNormalization = true, Contamination = 0.05, EnsembleSize = 1,
    });

    private VariationalAutoencoderEstimator Vae() => _ml.Autoencoders().VariationalAutoencoder(new VariationalAutoencoderOptions
    {
        HiddenLayers = [16], LatentDimension = 2, Epochs = 3, Seed = 2, NumberOfThreads = 1,
        ScoreKind = VariationalScoreKind.ReconstructionProbability, LatentLogVarianceColumnName = "LogVar",
    });

    private AutoencoderEstimator Ensemble() => _ml.Autoencoders().Autoencoder(new AutoencoderOptions
    {
        HiddenLayers = [16], LatentDimension = 3, Epochs = 3, Seed = 2, NumberOfThreads = 1, EnsembleSize = 3, RobustTraining = true,
        ScoreKind = AutoencoderScoreKind.ReconstructionAndNeighborDistance,
    });

    public static TheoryData<string> Shapes => ["bare-ae", "bare-vae", "bare-ensemble", "normalizer-ensemble", "normalizer-ae", "ae-first", "ae-middle", "nested", "mlnet-only", "two-stages"];

    private ITransformer Build(string shape) => shape switch
    {
        "bare-ae" => Autoencoder().Fit(_data),
        "bare-vae" => Vae().Fit(_data),
        "bare-ensemble" => Ensemble().Fit(_data),
        "normalizer-ensemble" => _ml.Transforms.NormalizeMinMax("Features").Append(Ensemble()).Fit(_data),
        "normalizer-ae" => _ml.Transforms.NormalizeMinMax("Features").Append(Autoencoder()).Fit(_data),
        "ae-first" => Autoencoder().Append(_ml.Transforms.NormalizeMeanVariance("LatentFeatures")).Fit(_data),
        "ae-middle" => _ml.Transforms.NormalizeMinMax("Features").Append(Vae()).Append(_ml.Transforms.Concatenate("Both", "LatentFeatures", "LogVar")).Fit(_data),
        "nested" => _ml.Transforms.NormalizeMinMax("Features")
            .Append(_ml.Transforms.CopyColumns("Copy", "Features")).Fit(_data) is var inner
            ? new TransformerChain<ITransformer>(inner, Autoencoder("Copy").Fit(inner.Transform(_data)))
            : throw new InvalidOperationException(),
        "mlnet-only" => _ml.Transforms.NormalizeMinMax("Features").Fit(_data),
        "two-stages" => _ml.Transforms.NormalizeMinMax("Features").Append(Autoencoder())
            .Append(_ml.Transforms.CopyColumns("FirstScore", "Score")).Append(Vae()).Fit(_data),
        _ => throw new ArgumentOutOfRangeException(nameof(shape)),
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void SaveThenLoadGivesBitIdenticalOutputs(string shape)
    {
        var model = Build(shape);
        var path = PathOf($"{shape}.aeml");
        _ml.Autoencoders().Save(model, _data.Schema, path);
        var loaded = _ml.Autoencoders().Load(path, out var schema);

        Assert.Equal(_data.Schema.Select(c => (c.Name, c.Type)), schema.Select(c => (c.Name, c.Type)));
        var before = model.Transform(_data);
        var after = loaded.Transform(_data);
        Assert.Equal(before.Schema.Select(c => (c.Name, c.Type.ToString())), after.Schema.Select(c => (c.Name, c.Type.ToString())));
        foreach (var column in before.Schema.Where(c => !c.IsHidden))
        {
            if (column.Type is VectorDataViewType { ItemType: var item } && item == NumberDataViewType.Single)
                Assert.Equal(TestOptions.Vectors(before, column.Name), TestOptions.Vectors(after, column.Name));
            else if (column.Type == NumberDataViewType.Single)
                Assert.Equal(TestOptions.Column<float>(before, column.Name), TestOptions.Column<float>(after, column.Name));
            else if (column.Type == BooleanDataViewType.Instance)
                Assert.Equal(TestOptions.Column<bool>(before, column.Name), TestOptions.Column<bool>(after, column.Name));
        }
        if (model is AutoencoderTransformerBase bare)
        {
            var reloaded = Assert.IsAssignableFrom<AutoencoderTransformerBase>(loaded);
            Assert.Equal(bare.GetType(), reloaded.GetType());
            Assert.Equal(bare.Threshold, reloaded.Threshold);
            Assert.Equal(bare.TrainingHistory, reloaded.TrainingHistory);
        }
        (loaded as IDisposable)?.Dispose();
        (model as IDisposable)?.Dispose();
    }

    private sealed class Prediction
    {
        public float Score { get; set; }
        public bool PredictedLabel { get; set; }
    }

    private sealed class Input
    {
        [VectorType(Dimensions)] public float[] Features { get; set; } = [];
    }

    [Fact]
    public void LoadedModelWorksWithPredictionEngine()
    {
        using var model = _ml.Transforms.NormalizeMinMax("Features").Append(Autoencoder()).Fit(_data);
        using var stream = new MemoryStream();
        _ml.Autoencoders().Save(model, _data.Schema, stream);
        stream.Position = 0;
        var loaded = _ml.Autoencoders().Load(stream, out _);
        var expected = TestOptions.Column<float>(model.Transform(_data), "Score");

        using var engine = _ml.Model.CreatePredictionEngine<Input, Prediction>(loaded);
        // One row at a time takes other GEMM blocking than a batch of 300, so the latent codes agree to about 1e-7 relative;
        // the default score divides the neighbour distance by its interquartile range, which scales that up to ~1e-6.
        for (int i = 0; i < _rows.Length; i += 29)
            Assert.Equal(expected[i], engine.Predict(new Input { Features = _rows[i].Features }).Score, 1e-5f);
    }

    [Fact]
    public void AFreshProcessLoadsTheModelAndComputesTheSameBits()
    {
        using var model = _ml.Transforms.NormalizeMinMax("Features").Append(Vae()).Fit(_data);
        var path = PathOf("fresh.aeml");
        _ml.Autoencoders().Save(model, _data.Schema, path);
        var input = PathOf("rows.csv");
        File.WriteAllLines(input, _rows.Select(r => string.Join(',', r.Features.Select(v => v.ToString("R", CultureInfo.InvariantCulture)))));
        var scored = model.Transform(_data);
        var expected = TestOptions.Column<float>(scored, "Score").Zip(TestOptions.Vectors(scored, "LatentFeatures"),
            (s, z) => string.Join(' ', new[] { s }.Concat(z).Select(v => BitConverter.SingleToInt32Bits(v).ToString("x8")))).ToArray();

        var output = PathOf("scores.txt");
        var probe = Path.Combine(AppContext.BaseDirectory, "ModelLoadProbe.dll");
        using var process = Process.Start(new ProcessStartInfo("dotnet", [probe, path, input, output]) { RedirectStandardError = true })!;
        string errors = process.StandardError.ReadToEnd();
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(2)), "child process hung");
        Assert.True(process.ExitCode == 0, $"child process failed: {errors}");
        Assert.Equal(expected, File.ReadAllLines(output));
    }

    [Fact]
    public void AFailedSaveLeavesTheExistingFileUntouchedAndNoTemporaryFiles()
    {
        using var model = Autoencoder().Fit(_data);
        var path = PathOf("model.aeml");
        _ml.Autoencoders().Save(model, _data.Schema, path);
        byte[] original = File.ReadAllBytes(path);

        // CustomMapping without a registered factory cannot be saved by ML.NET: the save fails halfway.
        var unsaveable = _ml.Transforms.CustomMapping<FeatureRow, ExtraColumn>((_, o) => o.Extra = 1, contractName: null).Fit(_data);
        var chain = new TransformerChain<ITransformer>(unsaveable, model);
        Assert.ThrowsAny<Exception>(() => _ml.Autoencoders().Save(chain, _data.Schema, path));

        Assert.Equal(original, File.ReadAllBytes(path));
        Assert.Equal(["model.aeml"], Directory.GetFiles(_folder).Select(Path.GetFileName));
    }

    private sealed class ExtraColumn
    {
        public float Extra { get; set; }
    }

    [Fact]
    public void DamagedFilesAlwaysFailWithInvalidDataException()
    {
        using var model = _ml.Transforms.NormalizeMinMax("Features").Append(Autoencoder()).Fit(_data);
        using var stream = new MemoryStream();
        _ml.Autoencoders().Save(model, _data.Schema, stream);
        byte[] good = stream.ToArray();
        var expected = TestOptions.Column<float>(model.Transform(_data), "Score");
        var random = new Random(2026);
        int loadedIntact = 0, rejected = 0;

        for (int trial = 0; trial < 300; trial++)
        {
            byte[] bad = (byte[])good.Clone();
            if (trial % 3 == 0) bad = bad[..random.Next(bad.Length)];
            else for (int flips = random.Next(1, 4); flips > 0; flips--) bad[random.Next(bad.Length)] ^= (byte)(1 << random.Next(8));

            try
            {
                var loaded = _ml.Autoencoders().Load(new MemoryStream(bad), out _);
                // A flip in bytes no reader uses (e.g. a zip timestamp) is harmless: the model must then be intact.
                Assert.Equal(expected, TestOptions.Column<float>(loaded.Transform(_data), "Score"));
                (loaded as IDisposable)?.Dispose();
                loadedIntact++;
            }
            catch (InvalidDataException e)
            {
                Assert.False(string.IsNullOrWhiteSpace(e.Message));
                rejected++;
            }
        }
        Assert.True(rejected > 250, $"only {rejected} of 300 damaged copies were rejected ({loadedIntact} loaded intact)");
    }

    [Fact]
    public void ForeignAndEmptyFilesAreRejectedWithAClearMessage()
    {
        using var mlnet = new MemoryStream();
        _ml.Model.Save(_ml.Transforms.NormalizeMinMax("Features").Fit(_data), _data.Schema, mlnet);
        var e = Assert.Throws<InvalidDataException>(() => _ml.Autoencoders().Load(new MemoryStream(mlnet.ToArray()), out _));
        Assert.Contains("mlContext.Model.Load", e.Message);

        e = Assert.Throws<InvalidDataException>(() => _ml.Autoencoders().Load(new MemoryStream(), out _));
        Assert.Contains("not an AnomalyAE model", e.Message);

        var text = PathOf("notes.aeml");
        File.WriteAllText(text, "hello");
        e = Assert.Throws<InvalidDataException>(() => _ml.Autoencoders().Load(text, out _));
        Assert.Contains(text, e.Message);
    }

    [Fact]
    public void AFileFromANewerFormatVersionSaysSo()
    {
        using var model = Autoencoder().Fit(_data);
        using var stream = new MemoryStream();
        _ml.Autoencoders().Save(model, _data.Schema, stream);
        using (var archive = new ZipArchive(stream, ZipArchiveMode.Update, leaveOpen: true))
        {
            var entry = archive.GetEntry("manifest.json")!;
            JsonNode manifest;
            using (var reader = new StreamReader(entry.Open())) manifest = JsonNode.Parse(reader.ReadToEnd())!;
            manifest["FormatVersion"] = 99;
            entry.Delete();
            using var writer = new StreamWriter(archive.CreateEntry("manifest.json").Open(), Encoding.UTF8);
            writer.Write(manifest.ToJsonString());
        }
        stream.Position = 0;
        var e = Assert.Throws<InvalidDataException>(() => _ml.Autoencoders().Load(stream, out _));
        Assert.True(e.Message.Contains("format version 99"), e.Message);
        Assert.Contains("newer", e.Message);
    }
}
