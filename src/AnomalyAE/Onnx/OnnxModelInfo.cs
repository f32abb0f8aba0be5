using System.Text.Json;
using System.Text.Json.Serialization;

namespace AnomalyAE.Onnx;

/// <summary>One graph output as the exporter wrote it: the column name and what it carries (an <c>OutputKind</c> name, or "Features").</summary>
internal sealed record OnnxOutputRecord(string Name, string Kind);

/// <summary>
/// What an exported model records for libtorch-free scoring, in the ONNX model's <c>metadata_props</c>: the anomaly
/// detector's feature column and threshold and every output column with its kind. The input schema (types and slot names)
/// is a second entry, <see cref="InputSchemaKey"/>: ML.NET's own schema file, base64-encoded.
/// </summary>
internal sealed record OnnxModelInfo
{
    public const string InfoKey = "anomalyae.model";
    public const string InputSchemaKey = "anomalyae.input_schema";
    public const int CurrentFormat = 1;

    public int Format { get; init; } = CurrentFormat;
    public required string FeatureColumnName { get; init; }
    public required float Threshold { get; init; }
    public required int InputDimension { get; init; }
    public required int LatentDimension { get; init; }
    public required IReadOnlyList<OnnxOutputRecord> Outputs { get; init; }
    /// <summary>The feature column's slot names (the reconstruction and contributions carry them too); null when it has none.</summary>
    public string[]? FeatureSlotNames { get; init; }
    /// <summary>Intra-op threads for ONNX Runtime: the stage's scoring thread count.</summary>
    public int Threads { get; init; } = 1;
    /// <summary>Rows per ONNX Runtime run when a data view is scored.</summary>
    public int BatchSize { get; init; } = 1024;

    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.Never };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static OnnxModelInfo? FromJson(string json) => JsonSerializer.Deserialize<OnnxModelInfo>(json, Json);
}
