using static AnomalyAE.Hosting.Tests.WorkerHost;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.ML;

namespace AnomalyAE.Hosting.Tests;

/// <summary>A worker configured with ModelSigningKey loads and hot-swaps only models signed with it; the old model keeps serving.</summary>
public sealed class SignedModelTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("anomalyae-signed-").FullName;
    private readonly string _model;
    private readonly List<string> _logs = [];
    private readonly ModelSigningKey _key = ModelSigningKey.Generate();

    public SignedModelTests()
    {
        _model = Path.Combine(_root, "model.aeml");
        TestModels.Train(_model);
        Sign(_model, _key);
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string Folder(string name) => Path.Combine(_root, "scoring", name);

    /// <summary>Re-saves the model at <paramref name="path"/> signed with <paramref name="key"/>.</summary>
    private static void Sign(string path, ModelSigningKey key)
    {
        var ml = new MLContext(seed: 1);
        var model = ml.Autoencoders().Load(path, out var schema);
        ml.Autoencoders().Save(model, schema, path, key);
        (model as IDisposable)?.Dispose();
    }

    private IHost Build(string? key) => WorkerHost.Build(_root, _logs, new Dictionary<string, string?>
    {
        ["AnomalyScoring:ModelPath"] = "model.aeml",
        ["AnomalyScoring:ModelSigningKey"] = key,
        ["AnomalyScoring:Inbox:Directory"] = "scoring",
        ["AnomalyScoring:BatchSize"] = "100",
        ["AnomalyScoring:IdleDelay"] = "00:00:00.050",
        ["AnomalyScoring:ModelReloadInterval"] = "00:00:00.200",
        ["AnomalyScoring:Inbox:QuietTime"] = "00:00:01", // files are dropped complete, and already settled for 2 s when claimed
    });


    private int Logged(string text)
    {
        lock (_logs) return _logs.Count(l => l.Contains(text));
    }

    /// <summary>Scores 100 rows through the inbox; returns how many were flagged.</summary>
    private int Alerts(string name, int seed)
    {
        Directory.CreateDirectory(Folder("inbox"));
        var temporary = Path.Combine(Folder("inbox"), "." + name + ".part");
        File.WriteAllText(temporary, TestModels.Csv(TestModels.Rows(100, seed)));
        File.Move(temporary, Path.Combine(Folder("inbox"), name + ".csv"));
        WaitFor(() => File.Exists(Path.Combine(Folder("done"), name + ".csv")), name);
        return File.ReadAllLines(Path.Combine(Folder("out"), name + ".alerts.csv")).Length - 1;
    }

    /// <summary>Replaces the served model file atomically, as a deployment would, and waits for the provider's verdict.</summary>
    private void Deploy(string source, string verdict)
    {
        int before = Logged(verdict);
        File.Move(source, _model, overwrite: true);
        WaitFor(() => Logged(verdict) > before, verdict);
    }

    [Fact]
    public async Task UnsignedAndTamperedModelsAreRejectedAndTheSignedOneKeepsServing()
    {
        byte[] original = File.ReadAllBytes(_model);
        using var host = Build(_key.ToBase64());
        await host.StartAsync();
        int normal = Alerts("first", seed: 8);
        Assert.InRange(normal, 0, 20);

        // Unsigned: a model that would flag every row.
        string unsigned = Path.Combine(_root, "unsigned.aeml");
        TestModels.Train(unsigned, threshold: -1);
        Deploy(unsigned, "Rejected the new model file");
        Assert.True(Logged("not signed") > 0, string.Join("\n", _logs));
        Assert.Equal(normal, Alerts("after-unsigned", seed: 8));

        // Signed with another key.
        string otherKey = Path.Combine(_root, "other.aeml");
        TestModels.Train(otherKey, threshold: -1);
        Sign(otherKey, ModelSigningKey.Generate());
        Deploy(otherKey, "Rejected the new model file");
        Assert.True(Logged("another key") > 0, string.Join("\n", _logs));

        // The signed model with its threshold edited, every checksum and the seal recomputed, the old signature kept.
        string tampered = Path.Combine(_root, "tampered.aeml");
        File.WriteAllBytes(tampered, Tamper(original));
        Deploy(tampered, "Rejected the new model file");
        Assert.True(Logged("invalid signature") > 0, string.Join("\n", _logs));
        Assert.Equal(normal, Alerts("after-tampered", seed: 8));

        // A model signed with the key is swapped in.
        string signed = Path.Combine(_root, "signed.aeml");
        TestModels.Train(signed, threshold: -1);
        Sign(signed, _key);
        Deploy(signed, "Swapped in the new model");
        Assert.Equal(100, Alerts("after-signed", seed: 8));
        await host.StopAsync();
    }

    [Fact]
    public async Task AnInvalidKeyOrAnUnsignedModelStopsStartUp()
    {
        using (var host = Build("not-a-key"))
        {
            var e = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
            Assert.Contains("AnomalyScoring:ModelSigningKey", e.Message);
            Assert.DoesNotContain("not-a-key", e.Message);
        }
        using (var host = Build(Convert.ToBase64String(new byte[8])))
        {
            var e = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
            Assert.Contains("32", e.Message);
        }
        TestModels.Train(_model);   // unsigned
        using (var host = Build(_key.ToBase64()))
        {
            var e = await Assert.ThrowsAsync<InvalidDataException>(() => host.StartAsync());
            Assert.Contains("not signed", e.Message);
        }
    }

    private static byte[] Tamper(byte[] signedModel)
    {
        var entries = new List<(string Name, byte[] Bytes)>();
        using (var archive = new ZipArchive(new MemoryStream(signedModel), ZipArchiveMode.Read))
            foreach (var entry in archive.Entries)
            {
                using var input = entry.Open();
                using var buffer = new MemoryStream();
                input.CopyTo(buffer);
                entries.Add((entry.FullName, buffer.ToArray()));
            }
        var manifest = JsonNode.Parse(entries.Single(e => e.Name == "manifest.json").Bytes)!;
        manifest["Stages"]!.AsArray().Single(s => (string?)s!["Kind"] == "network")!["Threshold"] = -1;
        byte[] manifestBytes = Encoding.UTF8.GetBytes(manifest.ToJsonString());
        var seal = JsonNode.Parse(entries.Single(e => e.Name == "manifest.seal").Bytes)!;
        seal["ManifestSha256"] = Convert.ToHexStringLower(SHA256.HashData(manifestBytes));
        using var output = new MemoryStream();
        using (var archive = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true))
            foreach (var (name, bytes) in entries)
            {
                using var stream = archive.CreateEntry(name).Open();
                stream.Write(name switch { "manifest.json" => manifestBytes, "manifest.seal" => Encoding.UTF8.GetBytes(seal.ToJsonString()), _ => bytes });
            }
        return output.ToArray();
    }
}
