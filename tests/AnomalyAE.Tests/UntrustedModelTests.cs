using System.Text.Json.Nodes;
using Microsoft.ML;

namespace AnomalyAE.Tests;

/// <summary>Three small saved models (an autoencoder behind a normalizer, an ensemble, a VAE) shared by the untrusted-file tests.</summary>
public sealed class SmallModels : IDisposable
{
    public const int Dimensions = 8;
    public readonly MLContext Ml = new(seed: 1);
    public readonly IDataView Data;
    public readonly Dictionary<string, (byte[] File, float[] Scores)> Models = [];
    public readonly ModelSigningKey Key = ModelSigningKey.Generate();
    public byte[] SignedAutoencoder { get; }

    public SmallModels()
    {
        var rows = SyntheticData.Manifold(200, Dimensions).Select(r => new FeatureRow { Features = r.Features.Select(v => v * 4 + 1).ToArray(), Label = r.Label }).ToArray();
        Data = SyntheticData.Load(Ml, rows, Dimensions);
        var ae = Ml.Autoencoders().Autoencoder(new AutoencoderOptions { HiddenLayers = [16], LatentDimension = 3, Epochs = 2, Seed = 2, NumberOfThreads = 1, EnsembleSize = 1, ScoreKind = AutoencoderScoreKind.ReconstructionAndNeighborDistance });
        var ensemble = Ml.Autoencoders().Autoencoder(new AutoencoderOptions { HiddenLayers = [8], LatentDimension = 2, Epochs = 2, Seed = 2, NumberOfThreads = 1, EnsembleSize = 3 });
        var vae = Ml.Autoencoders().VariationalAutoencoder(new VariationalAutoencoderOptions
        {
            HiddenLayers = [16], LatentDimension = 2, Epochs = 2, Seed = 2, NumberOfThreads = 1, ScoreKind = VariationalScoreKind.ReconstructionProbability, ScoreSamples = 4,
        });
        Add("ae", Ml.Transforms.NormalizeMinMax("Features").Append(ae).Fit(Data));
        Add("ensemble", ensemble.Fit(Data));
        Add("vae", vae.Fit(Data));
        using var signed = new MemoryStream();
        using var model = Ml.Autoencoders().Load(new MemoryStream(Models["ae"].File), out _) as IDisposable;
        Ml.Autoencoders().Save((ITransformer)model!, Data.Schema, signed, Key);
        SignedAutoencoder = signed.ToArray();
    }

    private void Add(string name, ITransformer model)
    {
        using var stream = new MemoryStream();
        Ml.Autoencoders().Save(model, Data.Schema, stream);
        Models[name] = (stream.ToArray(), Scores(model));
        (model as IDisposable)?.Dispose();
    }

    public float[] Scores(ITransformer model) => TestOptions.Column<float>(model.Transform(Data), "Score");

    /// <summary>Loads <paramref name="file"/>, scores the data and disposes the model.</summary>
    public float[] LoadAndScore(byte[] file, ModelSigningKey? key = null)
    {
        var model = key is null ? Ml.Autoencoders().Load(new MemoryStream(file), out _) : Ml.Autoencoders().Load(new MemoryStream(file), key, out _);
        try
        {
            return Scores(model);
        }
        finally
        {
            (model as IDisposable)?.Dispose();
        }
    }

    public void Dispose() { }
}

/// <summary>Model files from untrusted sources: the seal, value bounds, bounded memory, signatures, version 1 files, IO messages.</summary>
public sealed class UntrustedModelTests(SmallModels models) : IClassFixture<SmallModels>, IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("anomalyae-untrusted-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static JsonNode Network(JsonNode manifest) => manifest["Stages"]!.AsArray().Single(s => (string?)s!["Kind"] == "network")!;

    public static TheoryData<string, string> EditsTheSealCatches => new()
    {
        { "ae", "Threads=-1" }, { "ae", "Threshold" }, { "ae", "ErrorMetric" }, { "ae", "ScoreKind" }, { "ae", "Activation" },
        { "ae", "OutputName" }, { "ae", "StagesOrder" }, { "vae", "ScoreSamples" }, { "ensemble", "Size" },
    };

    private static void Edit(JsonNode manifest, string edit)
    {
        var stage = Network(manifest);
        var spec = stage["Spec"]!;
        switch (edit)
        {
            case "Threads=-1": stage["Threads"] = -1; break;
            case "Threshold": stage["Threshold"] = (float)stage["Threshold"]! + 1; break;
            case "ErrorMetric": spec["ErrorMetric"] = "MeanAbsoluteError"; break;
            case "ScoreKind": spec["ScoreKind"] = "ReconstructionError"; break;
            case "Activation": spec["Activation"] = "Tanh"; break;
            case "OutputName": stage["Outputs"]![0]!["Name"] = "ScoRe"; break;
            case "StagesOrder":
                var stages = manifest["Stages"]!.AsArray();
                var first = stages[0]!.DeepClone();
                stages[0] = stages[1]!.DeepClone();
                stages[1] = first;
                break;
            case "ScoreSamples": spec["ScoreSamples"] = int.MaxValue; break;
            case "Size": spec["Size"] = 2; break;
            default: throw new ArgumentOutOfRangeException(nameof(edit));
        }
    }

    [Theory]
    [MemberData(nameof(EditsTheSealCatches))]
    public void AnyEditOfTheManifestIsDetected(string kind, string edit)
    {
        var file = ModelFileEditor.EditManifest(models.Models[kind].File, m => Edit(m, edit), reseal: false);
        var e = Assert.Throws<InvalidDataException>(() => models.LoadAndScore(file));
        Assert.Contains("manifest.seal", e.Message);
    }

    public static TheoryData<string, string, string> ForgedValues => new()
    {
        { "ae", "Threads=-1", "Threads" }, { "ae", "Threads=0", "Threads" }, { "ae", "ScoringBatchSize=-1", "ScoringBatchSize" },
        { "ae", "ScoringBatchSize=max", "ScoringBatchSize" }, { "vae", "ScoreSamples=max", "ScoreSamples" }, { "ensemble", "Size=100000", "Size" },
        { "ae", "ReferenceRows=max", "ReferenceRows" }, { "ae", "Hidden=huge", "HiddenLayers" }, { "ae", "Width=huge", "weights" },
        { "ae", "OutputName=blank", "output column name" }, { "ae", "OutputName=duplicate", "two output columns" },
        { "ae", "Activation=99", "Activation" }, { "ae", "Entry=other", "expected 'stages/1.weights'" }, { "ae", "Stages=swapped", "names part" },
        { "vae", "Beta=-1", "Beta" }, { "ae", "Latent=0", "LatentDimension" }, { "ae", "Checksums=extra", "no part of the model" },
    };

    [Theory]
    [MemberData(nameof(ForgedValues))]
    public void ForgedValuesAreValidatedBeforeUse(string kind, string edit, string named)
    {
        var file = ModelFileEditor.EditManifest(models.Models[kind].File, m =>
        {
            var stage = Network(m);
            var spec = stage["Spec"]!;
            switch (edit)
            {
                case "Threads=-1": stage["Threads"] = -1; break;
                case "Threads=0": stage["Threads"] = 0; break;
                case "ScoringBatchSize=-1": stage["ScoringBatchSize"] = -1; break;
                case "ScoringBatchSize=max": stage["ScoringBatchSize"] = int.MaxValue; break;
                case "ScoreSamples=max": spec["ScoreSamples"] = int.MaxValue; break;
                case "Size=100000": spec["Size"] = 100_000; break;
                case "ReferenceRows=max": spec["ReferenceRows"] = int.MaxValue; break;
                case "Hidden=huge": spec["HiddenLayers"] = new JsonArray(Enumerable.Repeat(1 << 20, 3).Select(w => (JsonNode)w).ToArray()); break;
                case "Width=huge": spec["HiddenLayers"] = new JsonArray(65536, 65536); break;
                case "OutputName=blank": stage["Outputs"]![0]!["Name"] = " "; break;
                case "OutputName=duplicate": stage["Outputs"]![1]!["Name"] = (string?)stage["Outputs"]![0]!["Name"]; break;
                case "Activation=99": spec["Activation"] = 99; break;
                case "Entry=other": stage["Entry"] = "input-schema.zip"; break;
                case "Stages=swapped":
                    var stages = m["Stages"]!.AsArray();
                    var first = stages[0]!.DeepClone();
                    stages[0] = stages[1]!.DeepClone();
                    stages[1] = first;
                    break;
                case "Beta=-1": spec["Beta"] = -1; break;
                case "Latent=0": spec["LatentDimension"] = 0; break;
                case "Checksums=extra": m["Checksums"]!["stages/9.weights"] = new string('0', 64); break;
            }
        }, reseal: true);
        long before = GC.GetTotalAllocatedBytes(precise: true);
        var e = Assert.Throws<InvalidDataException>(() => models.LoadAndScore(file));
        Assert.True(GC.GetTotalAllocatedBytes(precise: true) - before < 64 << 20, "the rejection allocated more than 64 MB");
        Assert.Contains(named, e.Message);
    }

    [Fact]
    public void AThreadCountAboveTheProcessorsIsLoweredNotPassedOn()
    {
        var file = ModelFileEditor.EditManifest(models.Models["ae"].File, m => Network(m)["Threads"] = 1000, reseal: true);
        Assert.Equal(models.Models["ae"].Scores, models.LoadAndScore(file));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void AZipBombFailsFastWithoutAllocating(bool lyingSize)
    {
        // 512 MB of zeros in the weights entry: about 0.5 MB compressed.
        const long inflated = 512L << 20;
        var file = ModelFileEditor.WithZeros(models.Models["ae"].File, "stages/1.weights", inflated);
        if (lyingSize) ModelFileEditor.PatchDeclaredSize(file, "stages/1.weights", 4096);
        Assert.True(file.Length < 4 << 20, $"bomb is {file.Length} bytes");
        long before = GC.GetTotalAllocatedBytes(precise: true);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var e = Assert.Throws<InvalidDataException>(() => models.LoadAndScore(file));
        long allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
        Assert.True(allocated < 16 << 20, $"allocated {allocated:N0} bytes");
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"took {watch.Elapsed}");
        // An honest size fails on the size its spec allows; a lying one stops at the declared size (.NET's reader or ours).
        Assert.Contains(lyingSize ? "stages/1.weights" : "declares", e.Message);
    }

    [Fact]
    public void SignedModelsLoadOnlyWithTheirKey()
    {
        var expected = models.Models["ae"].Scores;
        Assert.Equal(expected, models.LoadAndScore(models.SignedAutoencoder, models.Key));
        Assert.Equal(expected, models.LoadAndScore(models.SignedAutoencoder));   // without a key: checksums only

        var unsigned = Assert.Throws<InvalidDataException>(() => models.LoadAndScore(models.Models["ae"].File, models.Key));
        Assert.Contains("not signed", unsigned.Message);
        var other = Assert.Throws<InvalidDataException>(() => models.LoadAndScore(models.SignedAutoencoder, ModelSigningKey.Generate()));
        Assert.Contains("another key", other.Message);

        // A forger who edits a value and recomputes every checksum and the seal still cannot sign.
        var entries = ModelFileEditor.Entries(models.SignedAutoencoder);
        int index = entries.FindIndex(e => e.Name == ModelFileEditor.Manifest);
        var manifest = JsonNode.Parse(entries[index].Bytes)!;
        Network(manifest)["Threshold"] = -1;
        entries[index] = (ModelFileEditor.Manifest, System.Text.Encoding.UTF8.GetBytes(manifest.ToJsonString()));
        var forged = ModelFileEditor.Build(ModelFileEditor.Rechecksummed(entries));
        Assert.Equal(expected, models.LoadAndScore(forged));   // loads unkeyed (only the threshold differs)…
        var tampered = Assert.Throws<InvalidDataException>(() => models.LoadAndScore(forged, models.Key));   // …not keyed
        Assert.Contains("not signed", tampered.Message);

        // The same edit keeping the original signature.
        var sealEntry = ModelFileEditor.Entries(models.SignedAutoencoder).Single(e => e.Name == ModelFileEditor.Seal);
        var seal = JsonNode.Parse(sealEntry.Bytes)!;
        var resealed = ModelFileEditor.Rechecksummed(entries);
        var forgedSeal = JsonNode.Parse(resealed.Single(e => e.Name == ModelFileEditor.Seal).Bytes)!;
        forgedSeal["Signature"] = seal["Signature"]!.DeepClone();
        var withOldSignature = resealed.Select(e => e.Name == ModelFileEditor.Seal ? (e.Name, System.Text.Encoding.UTF8.GetBytes(forgedSeal.ToJsonString())) : e);
        var invalid = Assert.Throws<InvalidDataException>(() => models.LoadAndScore(ModelFileEditor.Build(withOldSignature), models.Key));
        Assert.Contains("invalid signature", invalid.Message);
    }

    [Fact]
    public void SigningKeysAreCheckedAndNeverShown()
    {
        Assert.Throws<ArgumentException>(() => new ModelSigningKey(new byte[16]));
        var e = Assert.Throws<ArgumentException>(() => ModelSigningKey.FromBase64("not base64 at all!"));
        Assert.DoesNotContain("not base64 at all!", e.Message);
        var key = ModelSigningKey.Generate();
        Assert.Equal(key.KeyId, ModelSigningKey.FromBase64(key.ToBase64()).KeyId);
        Assert.DoesNotContain(key.ToBase64(), key.ToString());
    }

    [Fact]
    public void Version1FilesStillLoadButNotWithAKey()
    {
        foreach (var (kind, (file, scores)) in models.Models)
        {
            var entries = ModelFileEditor.Entries(file).Where(e => e.Name != ModelFileEditor.Seal).ToList();
            int index = entries.FindIndex(e => e.Name == ModelFileEditor.Manifest);
            var manifest = JsonNode.Parse(entries[index].Bytes)!;
            manifest["FormatVersion"] = 1;
            entries[index] = (ModelFileEditor.Manifest, System.Text.Encoding.UTF8.GetBytes(manifest.ToJsonString()));
            var version1 = ModelFileEditor.Build(entries);
            Assert.Equal(scores, models.LoadAndScore(version1));
            Assert.Throws<InvalidDataException>(() => models.LoadAndScore(version1, models.Key));
        }
    }

    [Fact]
    public void FileSystemErrorsNameTheTargetFile()
    {
        var load = Assert.Throws<FileNotFoundException>(() => models.Ml.Autoencoders().Load(_folder, out _));
        Assert.Contains("is a directory", load.Message);

        using var model = models.Ml.Autoencoders().Load(new MemoryStream(models.Models["ae"].File), out _) as IDisposable;
        var save = Assert.Throws<IOException>(() => models.Ml.Autoencoders().Save((ITransformer)model!, models.Data.Schema, _folder));
        Assert.Contains(_folder, save.Message);
        Assert.Contains("is a directory", save.Message);

        var missing = Path.Combine(_folder, "no-such-folder", "model.aeml");
        var folder = Assert.Throws<DirectoryNotFoundException>(() => models.Ml.Autoencoders().Save((ITransformer)model!, models.Data.Schema, missing));
        Assert.Contains(missing, folder.Message);
        Assert.DoesNotContain(".tmp", folder.Message);

        Assert.Equal([], Directory.GetFiles(_folder));
    }

    [Fact]
    public async Task DisposingWhileAnotherThreadScoresGivesObjectDisposedException()
    {
        var rows = SyntheticData.Manifold(4000, SmallModels.Dimensions);
        var data = SyntheticData.Load(models.Ml, rows, SmallModels.Dimensions);
        var unexpected = new List<Exception>();
        for (int trial = 0; trial < 20; trial++)
        {
            var model = models.Ml.Autoencoders().Load(new MemoryStream(models.Models[trial % 2 == 0 ? "vae" : "ensemble"].File), out _);
            using var started = new ManualResetEventSlim();
            var scoring = Task.Run(() =>
            {
                started.Set();
                try
                {
                    for (int pass = 0; pass < 50; pass++) TestOptions.Column<float>(model.Transform(data), "Score");
                }
                catch (Exception e) when (Innermost(e) is ObjectDisposedException)
                {
                }
            });
            started.Wait();
            Thread.Sleep(trial % 5 * 3);
            (model as IDisposable)?.Dispose();
            try
            {
                await scoring;
            }
            catch (Exception e)
            {
                unexpected.Add(e);
            }
        }
        Assert.Empty(unexpected);
    }

    private static Exception Innermost(Exception e)
    {
        while (e.InnerException is not null && e is not ObjectDisposedException) e = e.InnerException;
        return e;
    }
}
