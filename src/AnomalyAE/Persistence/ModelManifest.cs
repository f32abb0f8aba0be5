using System.Text.Json;
using AnomalyAE.Networks;
using AnomalyAE.Transforms;

namespace AnomalyAE.Persistence;

/// <summary>
/// manifest.json of a model file: what the stages are, in order, and the SHA-256 of every other entry.
/// Layout: manifest.json, input-schema.zip (an empty ML.NET chain carrying the input schema), and per stage either
/// stages/N.mlnet.zip (consecutive ML.NET transformers saved with ml.Model.Save) or stages/N.weights (TorchSharp).
/// Version 2 adds manifest.seal (<see cref="ModelSeal"/>): the SHA-256 of the manifest's exact bytes, and optionally
/// their signature, so that the manifest, and through its checksums every part, is covered. Version 1 files have no seal.
/// </summary>
internal sealed record ModelManifest
{
    public const string FormatName = "AnomalyAE.Model";
    /// <summary>The newest format this version reads. Files are written in the oldest format that holds them (<see cref="FormatFor"/>).</summary>
    public const int CurrentFormatVersion = 3;
    /// <summary>The first version whose manifest is covered by a seal.</summary>
    public const int SealedFormatVersion = 2;
    /// <summary>The first version that may hold sequence stages (<see cref="StageRecord.SequenceKind"/>).</summary>
    public const int SequenceFormatVersion = 3;
    public const string EntryName = "manifest.json";
    public const string SealEntry = "manifest.seal";
    public const string InputSchemaEntry = "input-schema.zip";

    public required string Format { get; init; }
    public required int FormatVersion { get; init; }
    public required string LibraryVersion { get; init; }
    /// <summary>True when the saved model was a single autoencoder transformer rather than a chain.</summary>
    public required bool SingleTransformer { get; init; }
    public required List<StageRecord> Stages { get; init; }
    /// <summary>Entry name → lowercase hex SHA-256 of its bytes.</summary>
    public required Dictionary<string, string> Checksums { get; init; }

    /// <summary>
    /// The format a file of <paramref name="stages"/> is written in: version 2, which every reader since the seal reads, unless a
    /// stage needs a newer one (a sequence stage: 3), so that older readers still load what they can and name a newer file as such.
    /// </summary>
    public static int FormatFor(IEnumerable<StageRecord> stages) =>
        stages.Any(s => s.Kind == StageRecord.SequenceKind) ? SequenceFormatVersion : SealedFormatVersion;

    /// <summary>The name of stage <paramref name="index"/>'s entry: the only name a reader accepts for it.</summary>
    public static string StageEntry(int index, string kind) =>
        StageRecord.HoldsWeights(kind) ? $"stages/{index}.weights" : $"stages/{index}.mlnet.zip";

    /// <summary>The JSON settings of a manifest: enums by name, and each network spec under its registered kind's name (<see cref="NetworkKinds"/>).</summary>
    public static JsonSerializerOptions Json => NetworkKinds.Json;
}

/// <summary>One stage of a saved pipeline.</summary>
internal sealed record StageRecord
{
    public const string MLNetKind = "mlnet";
    public const string NetworkKind = "network";
    /// <summary>A sequence stage (format 3): a network stage over windows, plus <see cref="Sequence"/>.</summary>
    public const string SequenceKind = "sequence";

    /// <summary>True for the kinds whose part is a network's weights.</summary>
    public static bool HoldsWeights(string? kind) => kind is NetworkKind or SequenceKind;

    public required string Kind { get; init; }
    public required string Entry { get; init; }
    public NetworkSpec? Spec { get; init; }
    public string? FeatureColumnName { get; init; }
    public List<OutputColumn>? Outputs { get; init; }
    public float? Threshold { get; init; }
    /// <summary>The score → probability map (<see cref="Training.ScoreCalibration"/>); absent in files saved before it existed.</summary>
    public CalibrationRecord? Calibration { get; init; }
    public List<EpochLoss>? History { get; init; }
    public int? Threads { get; init; }
    public int? ScoringBatchSize { get; init; }
    /// <summary>A sequence stage's windowing and per-row outputs; the other fields describe its window model.</summary>
    public SequenceRecord? Sequence { get; init; }
}

/// <summary>What a sequence stage adds to its window model: the columns it reads and how it windows them, and the columns it writes per row.</summary>
internal sealed record SequenceRecord(Series.SeriesSettings Settings, List<OutputColumn> Outputs);

/// <summary>The knots of a stage's score → probability map.</summary>
internal sealed record CalibrationRecord(float[] Scores, float[] Probabilities);

/// <summary>
/// manifest.seal (format version 2): the SHA-256 of manifest.json's exact bytes, so any edit of the manifest is detected,
/// and, when the model was saved with a <see cref="ModelSigningKey"/>, an HMAC-SHA256 of those bytes. The manifest holds
/// the SHA-256 of every other entry, so the seal covers the whole file.
/// </summary>
internal sealed record ModelSeal
{
    public const string HmacSha256 = "HMAC-SHA256";

    public required string ManifestSha256 { get; init; }
    public ModelSignature? Signature { get; init; }
}

/// <summary>A signature of the manifest bytes: the algorithm, which key (an identifier, not the key) and the value (base64).</summary>
internal sealed record ModelSignature(string Algorithm, string KeyId, string Value);
