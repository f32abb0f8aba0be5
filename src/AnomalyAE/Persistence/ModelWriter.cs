using System.IO.Compression;
using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace AnomalyAE.Persistence;

/// <summary>
/// Writes a model file: ML.NET segments via ml.Model.Save, autoencoder stages as weights plus manifest records, and the
/// seal over the manifest's exact bytes (signed when a <see cref="ModelSigningKey"/> is given).
/// </summary>
internal sealed class ModelWriter(MLContext context, ModelSigningKey? signingKey = null)
{
    public void Save(ITransformer model, DataViewSchema inputSchema, string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        string full = Path.GetFullPath(path);
        if (Directory.Exists(full)) throw new IOException($"Cannot save the model to '{path}': it is a directory; give a file name (e.g. {Path.Combine(path, "model.aeml")}).");
        string folder = Path.GetDirectoryName(full)!;
        if (!Directory.Exists(folder)) throw new DirectoryNotFoundException($"Cannot save the model to '{path}': the folder '{folder}' does not exist.");
        try
        {
            AtomicFile.Write(full, file => Save(model, inputSchema, file));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            string message = $"Cannot save the model to '{path}': {e.Message}";
            throw e is UnauthorizedAccessException ? new UnauthorizedAccessException(message, e) : new IOException(message, e);
        }
    }

    public void Save(ITransformer model, DataViewSchema inputSchema, Stream stream)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(inputSchema);
        ArgumentNullException.ThrowIfNull(stream);
        var stages = PipelineStages.Flatten(model, inputSchema);
        var entries = new List<(string Name, byte[] Bytes)>
        {
            (ModelManifest.InputSchemaEntry, SaveMLNet([], inputSchema)),
        };
        var records = new List<StageRecord>();
        var pending = new List<ITransformer>();
        DataViewSchema? pendingInput = null;

        void FlushMLNet()
        {
            if (pending.Count == 0) return;
            string entry = ModelManifest.StageEntry(records.Count, StageRecord.MLNetKind);
            entries.Add((entry, SaveMLNet(pending, pendingInput!)));
            records.Add(new StageRecord { Kind = StageRecord.MLNetKind, Entry = entry });
            pending = [];
        }

        foreach (var (transformer, input) in stages)
        {
            var sequence = transformer as SequenceAutoencoderTransformer;
            if ((sequence?.WindowModel ?? transformer) is not AutoencoderTransformerBase ours)
            {
                if (pending.Count == 0) pendingInput = input;
                pending.Add(transformer);
                continue;
            }
            FlushMLNet();
            string kind = sequence is null ? StageRecord.NetworkKind : StageRecord.SequenceKind;
            string entry = ModelManifest.StageEntry(records.Count, kind);
            entries.Add((entry, SaveWeights(ours)));
            records.Add(new StageRecord
            {
                Kind = kind,
                Sequence = sequence is null ? null : new SequenceRecord(sequence.Settings, [.. sequence.Outputs.Columns]),
                Entry = entry,
                Spec = ours.Model.Network.Spec,
                FeatureColumnName = ours.FeatureColumnName,
                Outputs = [.. ours.Outputs.Columns],
                Threshold = ours.Threshold,
                Calibration = ours.Calibration is { } calibration ? new CalibrationRecord(calibration.Scores, calibration.Probabilities) : null,
                History = [.. ours.TrainingHistory],
                Threads = ours.Model.Threads,
                ScoringBatchSize = ours.Model.BatchSize,
            });
        }
        FlushMLNet();

        var manifest = new ModelManifest
        {
            Format = ModelManifest.FormatName,
            FormatVersion = ModelManifest.FormatFor(records),
            LibraryVersion = typeof(ModelWriter).Assembly.GetName().Version?.ToString() ?? "unknown",
            SingleTransformer = model is AutoencoderTransformerBase or SequenceAutoencoderTransformer,
            Stages = records,
            Checksums = entries.ToDictionary(e => e.Name, e => BoundedEntry.Sha256(e.Bytes)),
        };

        byte[] manifestBytes = JsonSerializer.SerializeToUtf8Bytes(manifest, ModelManifest.Json);
        var seal = new ModelSeal { ManifestSha256 = BoundedEntry.Sha256(manifestBytes), Signature = signingKey?.Sign(manifestBytes) };
        using var archive = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true);
        Write(archive, ModelManifest.EntryName, manifestBytes);
        Write(archive, ModelManifest.SealEntry, JsonSerializer.SerializeToUtf8Bytes(seal, ModelManifest.Json));
        foreach (var (name, bytes) in entries) Write(archive, name, bytes);
    }

    private byte[] SaveMLNet(List<ITransformer> transformers, DataViewSchema input)
    {
        using var buffer = new MemoryStream();
        context.Model.Save(new TransformerChain<ITransformer>([.. transformers]), input, buffer);
        return buffer.ToArray();
    }

    private static byte[] SaveWeights(AutoencoderTransformerBase transformer)
    {
        using var buffer = new MemoryStream();
        transformer.Model.Run(network =>
        {
            network.save(buffer);
            return 0;
        });
        return buffer.ToArray();
    }

    private static void Write(ZipArchive archive, string name, byte[] bytes)
    {
        using var entry = archive.CreateEntry(name, CompressionLevel.Fastest).Open();
        entry.Write(bytes);
    }
}
