using System.IO.Compression;
using System.Text.Json;
using AnomalyAE.Networks;
using AnomalyAE.Runtime;
using AnomalyAE.Transforms;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace AnomalyAE.Persistence;

/// <summary>
/// Reads a model file written by <see cref="ModelWriter"/>, verifying all of it before any of it reaches ML.NET or
/// libtorch: the seal (the SHA-256 of the manifest's exact bytes, and the signature when a key is given), every manifest
/// value (<see cref="ManifestValidation"/>), every entry's declared and actual size and its SHA-256 (streamed, so a zip bomb
/// fails after a few kilobytes), and the weights' exact size against the network the spec describes. A damaged or foreign
/// file fails with <see cref="InvalidDataException"/> naming the file and what is wrong.
/// </summary>
/// <remarks>
/// Format version 1 files (no seal) still load when no key is given: every value is validated and bounded, and every part
/// is checksummed, but an edit of the manifest itself cannot be detected; a warning says to save them again.
/// </remarks>
internal sealed class ModelReader(MLContext context, ModelSigningKey? verificationKey = null)
{
    public ITransformer Load(string path, out DataViewSchema inputSchema)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (Directory.Exists(path)) throw new FileNotFoundException($"Cannot load model file '{path}': it is a directory, not a file.", path);
        FileStream file;
        try
        {
            file = File.OpenRead(path);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new UnauthorizedAccessException($"Cannot load model file '{path}': permission denied ({e.Message}).", e);
        }
        using (file) return Load(file, path, out inputSchema);
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
        catch (Exception e) when (e is not InvalidDataException and not OutOfMemoryException and not ObjectDisposedException and not OperationCanceledException)
        {
            throw new InvalidDataException($"Cannot load {source}: it is damaged or not an AnomalyAE model ({e.GetType().Name}: {e.Message}).", e);
        }
    }

    private ITransformer LoadChecked(Stream stream, string source, out DataViewSchema inputSchema)
    {
        using var archive = OpenArchive(stream, source);
        var manifest = ReadManifest(archive, source);

        // Every part's size and checksum, streamed: nothing is kept, so a part that inflates without end costs nothing.
        var limits = manifest.Checksums.ToDictionary(c => c.Key, c => EntryLimit(manifest, c.Key, source));
        foreach (var (name, checksum) in manifest.Checksums)
            BoundedEntry.Verify(Entry(archive, name, source), limits[name].Max, checksum, source);
        // Read again, kept and checked again: what ML.NET and libtorch see is what was verified.
        byte[] Read(string name) => BoundedEntry.ReadAll(Entry(archive, name, source), limits[name].Max, manifest.Checksums[name], source);

        using (var schemaStream = new MemoryStream(Read(ModelManifest.InputSchemaEntry)))
            context.Model.Load(schemaStream, out inputSchema);

        var stages = new List<ITransformer>();
        try
        {
            var schema = inputSchema;
            foreach (var record in manifest.Stages)
            {
                var stage = record.Kind == StageRecord.MLNetKind
                    ? LoadMLNet(Read(record.Entry))
                    : LoadNetwork(record, Read(record.Entry), source);
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
        ZipArchive archive;
        try
        {
            archive = new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: true);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{source} is not an AnomalyAE model: it is not a zip container ({e.Message}). Was it truncated, or saved by mlContext.Model.Save rather than mlContext.Autoencoders().Save?", e);
        }
        try
        {
            if (archive.Entries.Count > ModelLimits.Entries)
                throw new InvalidDataException($"{source} has {archive.Entries.Count} entries; an AnomalyAE model has at most {ModelLimits.Entries}.");
            var duplicate = archive.Entries.GroupBy(e => e.FullName, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
            if (duplicate is not null) throw new InvalidDataException($"{source} is damaged: it holds two entries named '{duplicate.Key}'.");
            return archive;
        }
        catch
        {
            archive.Dispose();
            throw;
        }
    }

    private static ZipArchiveEntry Entry(ZipArchive archive, string name, string source) =>
        archive.GetEntry(name) ?? throw new InvalidDataException($"{source} is missing its part '{name}'.");

    /// <summary>The manifest, once its bytes match the seal (and the signature, with a key) and its values are valid.</summary>
    private ModelManifest ReadManifest(ZipArchive archive, string source)
    {
        var entry = archive.GetEntry(ModelManifest.EntryName)
            ?? throw new InvalidDataException($"{source} has no {ModelManifest.EntryName}: it is not an AnomalyAE model (ML.NET model zips load with mlContext.Model.Load).");
        byte[] bytes = BoundedEntry.ReadAll(entry, ModelLimits.ManifestBytes, null, source);
        // The version first (a file from a newer AnomalyAE should say so, whatever its seal means), then the seal.
        int version = PeekVersion(bytes, source);
        var sealEntry = archive.GetEntry(ModelManifest.SealEntry);
        if (sealEntry is not null) CheckSeal(bytes, BoundedEntry.ReadAll(sealEntry, ModelLimits.SealBytes, null, source), source);
        else if (verificationKey is not null)
            throw new InvalidDataException($"{source} is not signed, and a verification key was given: only models saved with the signing key load.");
        if (version >= ModelManifest.SealedFormatVersion && sealEntry is null)
            throw new InvalidDataException($"{source} is damaged: format version {version} files carry {ModelManifest.SealEntry}, and it is missing.");
        if (version < ModelManifest.SealedFormatVersion && sealEntry is not null)
            throw new InvalidDataException($"{source} is damaged: a format version {version} file has no {ModelManifest.SealEntry}.");

        ModelManifest? parsed;
        try
        {
            parsed = JsonSerializer.Deserialize<ModelManifest>(WithoutBom(bytes).Span, ModelManifest.Json);
        }
        catch (Exception e) when (e is JsonException or NotSupportedException)
        {
            // A value the manifest's types cannot hold (a float beyond Single's range, text where a number belongs, …), or a
            // network kind that is not registered here.
            throw new InvalidDataException($"{source}: the manifest is not a valid model manifest ({e.Message}). The network kinds registered here are " +
                $"{string.Join(", ", NetworkKinds.Names.Order(StringComparer.Ordinal))}; register a kind of your own with NetworkKinds.Register before loading its models. " +
                "Otherwise the file was edited or damaged; save the model again.", e);
        }
        var manifest = parsed ?? throw new InvalidDataException($"{source} has an empty manifest.");
        if (manifest.FormatVersion != version) throw new InvalidDataException($"{source} has an ambiguous manifest.");
        ManifestValidation.Validate(manifest, source);
        var expected = new HashSet<string>(manifest.Checksums.Keys, StringComparer.Ordinal) { ModelManifest.EntryName };
        if (sealEntry is not null) expected.Add(ModelManifest.SealEntry);
        var stray = archive.Entries.FirstOrDefault(e => !expected.Contains(e.FullName));
        if (stray is not null) throw new InvalidDataException($"{source} holds an entry '{stray.FullName}' that its manifest does not list.");
        if (version < ModelManifest.SealedFormatVersion) WarnUnsealed(source, version);
        return manifest;
    }

    private void CheckSeal(byte[] manifest, byte[] sealBytes, string source)
    {
        var seal = JsonSerializer.Deserialize<ModelSeal>(sealBytes, ModelManifest.Json)
            ?? throw new InvalidDataException($"{source} has an empty {ModelManifest.SealEntry}.");
        if (!string.Equals(BoundedEntry.Sha256(manifest), seal.ManifestSha256, StringComparison.Ordinal))
            throw new InvalidDataException($"{source} is corrupted: {ModelManifest.EntryName} does not match the checksum in {ModelManifest.SealEntry} (edited or damaged).");
        if (verificationKey is null) return;
        if (seal.Signature is not { } signature)
            throw new InvalidDataException($"{source} is not signed, and a verification key was given: only models saved with the signing key load.");
        if (signature.KeyId != verificationKey.KeyId)
            throw new InvalidDataException($"{source} is signed with another key (key id {signature.KeyId}; the verification key's id is {verificationKey.KeyId}).");
        if (!verificationKey.Verifies(manifest, signature))
            throw new InvalidDataException($"{source} has an invalid signature: it was changed after it was signed.");
    }

    // A version 1 manifest re-saved by an editor that adds a byte-order mark still parses (a sealed one fails its seal first).
    private static ReadOnlyMemory<byte> WithoutBom(byte[] bytes) => bytes.AsSpan().StartsWith("\uFEFF"u8) ? bytes.AsMemory(3) : bytes;

    private static int PeekVersion(byte[] bytes, string source)
    {
        using var document = JsonDocument.Parse(WithoutBom(bytes));
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty(nameof(ModelManifest.Format), out var format)
            || format.ValueKind != JsonValueKind.String || format.GetString() != ModelManifest.FormatName)
            throw new InvalidDataException($"{source} is not an AnomalyAE model: its manifest does not say Format = \"{ModelManifest.FormatName}\".");
        int version = root.TryGetProperty(nameof(ModelManifest.FormatVersion), out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out int n) ? n : -1;
        if (version > ModelManifest.CurrentFormatVersion)
            throw new InvalidDataException($"{source} was saved in model format version {version} by a newer AnomalyAE; this version reads format {ModelManifest.CurrentFormatVersion} and older. Upgrade the AnomalyAE package to load it.");
        if (version < 1)
            throw new InvalidDataException($"{source} has an invalid format version ({version}).");
        return version;
    }

    private void WarnUnsealed(string source, int version)
    {
        using var channel = ((IHostEnvironment)context).Register(nameof(ModelReader)).Start("Load");
        channel.Warning(MessageSensitivity.None, $"{source} uses model format version {version}, whose manifest carries no checksum of its own: " +
            "its values are validated, but an edit of them cannot be detected. Save it again to upgrade it to version " +
            $"{ModelManifest.CurrentFormatVersion}.");
    }

    /// <summary>The size range of a part: weights from the spec, ML.NET segments by a fixed bound.</summary>
    private static (long Min, long Max) EntryLimit(ModelManifest manifest, string name, string source)
    {
        var stage = manifest.Stages.FirstOrDefault(s => s.Entry == name);
        if (!StageRecord.HoldsWeights(stage?.Kind) || stage!.Spec is not { } spec) return (0, ModelLimits.MLNetEntryBytes);
        return ManifestValidation.WeightBytes(spec, $"{source}: part '{name}'");
    }

    private ITransformer LoadMLNet(byte[] bytes)
    {
        using var stream = new MemoryStream(bytes);
        return context.Model.Load(stream, out _);
    }

    private static ITransformer LoadNetwork(StageRecord record, byte[] weights, string source)
    {
        var spec = record.Spec!;
        var (min, _) = ManifestValidation.WeightBytes(spec, source);
        if (weights.Length < min)
            throw new InvalidDataException($"{source}: part '{record.Entry}' has {weights.Length:N0} bytes, fewer than the {min:N0} its network needs.");
        var network = spec.CreateNetwork(seed: 0);
        try
        {
            // The exact size of this architecture's weights, from the fresh network itself: a file whose tensors have other
            // shapes or types fails here, before libtorch reads any of its bytes.
            long expected = SerializedSize(network);
            if (weights.Length != expected)
                throw new InvalidDataException($"{source}: part '{record.Entry}' has {weights.Length:N0} bytes; the network its manifest describes has {expected:N0}.");
            using (var stream = new MemoryStream(weights)) network.load(stream, strict: true);
            int threads = Math.Clamp(record.Threads ?? Environment.ProcessorCount, 1, Environment.ProcessorCount);
            var model = new ScoringModel(network, threads, record.ScoringBatchSize ?? ScoringModel.DefaultBatchSize);
            var stage = new ScoringStage(model, new OutputColumns(record.Outputs!), record.FeatureColumnName!, record.Threshold!.Value,
                record.Calibration is { } calibration ? new Training.ScoreCalibration(calibration.Scores, calibration.Probabilities) : null);
            var transformer = AutoencoderTransformerBase.Create(stage, record.History ?? []);
            return record.Sequence is { } sequence
                ? new SequenceAutoencoderTransformer((AutoencoderTransformer)transformer, sequence.Settings, new OutputColumns(sequence.Outputs))
                : transformer;
        }
        catch
        {
            network.Dispose();
            throw;
        }
    }

    private static long SerializedSize(TorchSharp.torch.nn.Module network)
    {
        using var counter = new CountingStream();
        network.save(counter);
        return counter.Length;
    }

    /// <summary>A write-only stream that only counts.</summary>
    private sealed class CountingStream : Stream
    {
        private long _length;
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => _length;
        public override long Position { get => _length; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => _length += count;
        public override void Write(ReadOnlySpan<byte> buffer) => _length += buffer.Length;
    }
}
