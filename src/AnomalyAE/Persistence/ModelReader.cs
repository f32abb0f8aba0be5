using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Json;
using AnomalyAE.Runtime;
using AnomalyAE.Transforms;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace AnomalyAE.Persistence;

/// <summary>
/// Reads a model file written by <see cref="ModelWriter"/>. Every entry's checksum is verified before any of it reaches
/// ML.NET or libtorch, so a damaged file fails with <see cref="InvalidDataException"/>, never inside native code.
/// </summary>
internal sealed class ModelReader(MLContext context)
{
    private const long MaxManifestBytes = 16 << 20;

    public ITransformer Load(string path, out DataViewSchema inputSchema)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        using var file = File.OpenRead(path);
        return Load(file, path, out inputSchema);
    }

    public ITransformer Load(Stream stream, string? name, out DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(stream);
        string source = name is null ? "the model stream" : $"model file '{name}'";
        TorchRuntime.EnsureAvailable();
        try
        {
            return LoadChecked(stream, source, out inputSchema);
        }
        catch (Exception e) when (e is not InvalidDataException and not OutOfMemoryException and not ObjectDisposedException)
        {
            throw new InvalidDataException($"Cannot load {source}: it is damaged or not an AnomalyAE model ({e.GetType().Name}: {e.Message}).", e);
        }
    }

    private ITransformer LoadChecked(Stream stream, string source, out DataViewSchema inputSchema)
    {
        using var archive = OpenArchive(stream, source);
        var manifest = ReadManifest(archive, source);
        byte[] Entry(string entryName) => ReadVerified(archive, manifest, entryName, source);

        using (var schemaStream = new MemoryStream(Entry(ModelManifest.InputSchemaEntry)))
            context.Model.Load(schemaStream, out inputSchema);

        var stages = new List<ITransformer>();
        try
        {
            var schema = inputSchema;
            foreach (var record in manifest.Stages)
            {
                var stage = record.Kind switch
                {
                    StageRecord.MLNetKind => LoadMLNet(Entry(record.Entry)),
                    StageRecord.NetworkKind => LoadNetwork(record, Entry(record.Entry), source),
                    _ => throw new InvalidDataException($"{source} has a stage of unknown kind '{record.Kind}'."),
                };
                stages.Add(stage);
                schema = stage.GetOutputSchema(schema);
            }
        }
        catch
        {
            foreach (var stage in stages) (stage as IDisposable)?.Dispose();
            throw;
        }
        if (manifest.SingleTransformer && stages.Count == 1) return stages[0];
        return new TransformerChain<ITransformer>([.. stages]);
    }

    private static ZipArchive OpenArchive(Stream stream, string source)
    {
        try
        {
            return new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: true);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{source} is not an AnomalyAE model: it is not a zip container ({e.Message}). Was it truncated, or saved by mlContext.Model.Save rather than mlContext.Autoencoders().Save?", e);
        }
    }

    private static ModelManifest ReadManifest(ZipArchive archive, string source)
    {
        var entry = archive.GetEntry(ModelManifest.EntryName)
            ?? throw new InvalidDataException($"{source} has no {ModelManifest.EntryName}: it is not an AnomalyAE model (ML.NET model zips load with mlContext.Model.Load).");
        if (entry.Length > MaxManifestBytes) throw new InvalidDataException($"{source}: {ModelManifest.EntryName} is implausibly large ({entry.Length} bytes).");
        byte[] bytes = ReadAll(entry);
        if (bytes.AsSpan().StartsWith("\uFEFF"u8)) bytes = bytes[3..]; // tolerate a manifest re-saved by an editor that adds a BOM
        using var document = JsonDocument.Parse(bytes);
        var root = document.RootElement;
        if (!root.TryGetProperty(nameof(ModelManifest.Format), out var format) || format.GetString() != ModelManifest.FormatName)
            throw new InvalidDataException($"{source} is not an AnomalyAE model: its manifest does not say Format = \"{ModelManifest.FormatName}\".");
        int version = root.TryGetProperty(nameof(ModelManifest.FormatVersion), out var v) && v.TryGetInt32(out int n) ? n : -1;
        if (version > ModelManifest.CurrentFormatVersion)
            throw new InvalidDataException($"{source} was saved in model format version {version} by a newer AnomalyAE; this version reads format {ModelManifest.CurrentFormatVersion} and older. Upgrade the AnomalyAE package to load it.");
        if (version < 1)
            throw new InvalidDataException($"{source} has an invalid format version ({version}).");
        var manifest = JsonSerializer.Deserialize<ModelManifest>(bytes, ModelManifest.Json)
            ?? throw new InvalidDataException($"{source} has an empty manifest.");
        if (manifest.Stages.Count == 0) throw new InvalidDataException($"{source} has no stages.");
        return manifest;
    }

    private static byte[] ReadVerified(ZipArchive archive, ModelManifest manifest, string name, string source)
    {
        if (!manifest.Checksums.TryGetValue(name, out var expected))
            throw new InvalidDataException($"{source}: the manifest has no checksum for '{name}'.");
        var entry = archive.GetEntry(name) ?? throw new InvalidDataException($"{source} is missing its part '{name}'.");
        byte[] bytes = ReadAll(entry);
        string actual = Convert.ToHexStringLower(SHA256.HashData(bytes));
        if (!string.Equals(actual, expected, StringComparison.OrdinalIgnoreCase))
            throw new InvalidDataException($"{source} is corrupted: part '{name}' does not match its checksum.");
        return bytes;
    }

    private static byte[] ReadAll(ZipArchiveEntry entry)
    {
        using var input = entry.Open();
        using var buffer = new MemoryStream();
        input.CopyTo(buffer);
        return buffer.ToArray();
    }

    private ITransformer LoadMLNet(byte[] bytes)
    {
        using var stream = new MemoryStream(bytes);
        return context.Model.Load(stream, out _);
    }

    private static ITransformer LoadNetwork(StageRecord record, byte[] weights, string source)
    {
        var spec = record.Spec ?? throw new InvalidDataException($"{source}: stage '{record.Entry}' has no network spec.");
        if (record.Outputs is null || record.FeatureColumnName is null || record.Threshold is null)
            throw new InvalidDataException($"{source}: stage '{record.Entry}' is incomplete.");
        if (spec.InputDimension < 1 || spec.LatentDimension < 1 || spec.HiddenLayers.Any(w => w < 1))
            throw new InvalidDataException($"{source}: stage '{record.Entry}' has invalid dimensions.");
        if (spec is Networks.AutoencoderEnsembleSpec ensemble && (ensemble.Size is < 1 or > OptionsValidation.MaxEnsembleSize
                || ensemble.Member.InputDimension != spec.InputDimension || ensemble.Member.LatentDimension != spec.LatentDimension))
            throw new InvalidDataException($"{source}: stage '{record.Entry}' describes an invalid ensemble ({ensemble.Size} members of {ensemble.Member.InputDimension} → {ensemble.Member.LatentDimension}).");
        var network = spec.CreateNetwork(seed: 0);
        try
        {
            using (var stream = new MemoryStream(weights)) network.load(stream, strict: true);
            int threads = Math.Min(record.Threads ?? Environment.ProcessorCount, Environment.ProcessorCount);
            var model = new ScoringModel(network, threads, record.ScoringBatchSize ?? 1024);
            var outputs = new OutputColumns(record.Outputs, spec.InputDimension, spec.LatentDimension);
            return AutoencoderTransformerBase.Create(model, outputs, record.FeatureColumnName, record.Threshold.Value, record.History ?? []);
        }
        catch
        {
            network.Dispose();
            throw;
        }
    }
}
