using System.Text.Json;
using System.Text.Json.Serialization;
using AnomalyAE.Networks;
using AnomalyAE.Transforms;

namespace AnomalyAE.Persistence;

/// <summary>
/// manifest.json of a model file: what the stages are, in order, and the SHA-256 of every other entry.
/// Version 1 layout: manifest.json, input-schema.zip (an empty ML.NET chain carrying the input schema), and per stage
/// either stages/N.mlnet.zip (consecutive ML.NET transformers saved with ml.Model.Save) or stages/N.weights (TorchSharp).
/// </summary>
internal sealed record ModelManifest
{
    public const string FormatName = "AnomalyAE.Model";
    public const int CurrentFormatVersion = 1;
    public const string EntryName = "manifest.json";
    public const string InputSchemaEntry = "input-schema.zip";

    public required string Format { get; init; }
    public required int FormatVersion { get; init; }
    public required string LibraryVersion { get; init; }
    /// <summary>True when the saved model was a single autoencoder transformer rather than a chain.</summary>
    public required bool SingleTransformer { get; init; }
    public required List<StageRecord> Stages { get; init; }
    /// <summary>Entry name → lowercase hex SHA-256 of its bytes.</summary>
    public required Dictionary<string, string> Checksums { get; init; }

    public static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter() },
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };
}

/// <summary>One stage of a saved pipeline.</summary>
internal sealed record StageRecord
{
    public const string MLNetKind = "mlnet";
    public const string NetworkKind = "network";

    public required string Kind { get; init; }
    public required string Entry { get; init; }
    public NetworkSpec? Spec { get; init; }
    public string? FeatureColumnName { get; init; }
    public List<OutputColumn>? Outputs { get; init; }
    public float? Threshold { get; init; }
    public List<EpochLoss>? History { get; init; }
    public int? Threads { get; init; }
    public int? ScoringBatchSize { get; init; }
}
