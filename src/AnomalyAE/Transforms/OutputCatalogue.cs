using AnomalyAE.Networks;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace AnomalyAE.Transforms;

/// <summary>What an output column carries. Saved by name in model files and in exported ONNX models.</summary>
internal enum OutputKind { Score, PredictedLabel, LatentFeatures, Reconstruction, LatentLogVariance, FeatureContributions, Probability }

/// <summary>
/// One kind of output column, defined once for every engine: the option that names it, its type, whether it carries the
/// features' slot names, the network outputs it needs, how libtorch's scored batch yields it, and the ONNX nodes that
/// compute it.
/// </summary>
/// <param name="Kind">The kind.</param>
/// <param name="NameOption">The column's name in the options (null: not emitted).</param>
/// <param name="Width">Values per row for a vector column, from (features, latent dimension); null for a one-value column.</param>
/// <param name="ItemType">The type of a value: Single, or Boolean for the label.</param>
/// <param name="KeepsSlotNames">The column has one value per feature and carries the features' slot names.</param>
/// <param name="Needs">The network outputs computed for it (the score always is).</param>
/// <param name="Getter">The libtorch getter over a scored batch.</param>
/// <param name="Onnx">The ONNX tensor that holds it, from the network's graph outputs and the stage.</param>
internal sealed record OutputDefinition(
    OutputKind Kind,
    Func<AutoencoderOptionsBase, string?> NameOption,
    Func<int, int, int>? Width,
    PrimitiveDataViewType ItemType,
    bool KeepsSlotNames,
    NetworkOutputs Needs,
    Func<ScoredBatchReader, Delegate> Getter,
    Func<OnnxGraph, OnnxOutputs, OnnxStageFacts, string> Onnx)
{
    /// <summary>The column's type for a model of <paramref name="inputDimension"/> features and a code of <paramref name="latentDimension"/>.</summary>
    public DataViewType TypeFor(int inputDimension, int latentDimension) =>
        Width is null ? ItemType : new VectorDataViewType((PrimitiveDataViewType)ItemType, Width(inputDimension, latentDimension));
}

/// <summary>What an output's ONNX nodes read from its stage besides the network: the threshold and the calibration.</summary>
internal sealed record OnnxStageFacts(float Threshold, Training.ScoreCalibration? Calibration, string Stage);

/// <summary>Every output column kind (<see cref="OutputDefinition"/>), in the order a stage adds them to the schema.</summary>
internal static class OutputCatalogue
{
    private static NetworkOutputs None => NetworkOutputs.ScoreOnly;

    public static IReadOnlyList<OutputDefinition> All { get; } =
    [
        new(OutputKind.Score, o => o.ScoreColumnName, null, NumberDataViewType.Single, false, None,
            r => r.Single(row => r.Batch.Scores[row]),
            (g, network, _) => network.Score),
        new(OutputKind.PredictedLabel, o => o.PredictedLabelColumnName, null, BooleanDataViewType.Instance, false, None,
            r => r.Flag(row => r.Batch.Scores[row] > r.Stage.Threshold),
            (g, network, stage) => g.Node("Greater", [network.Score, g.Scalar(stage.Threshold)])),
        new(OutputKind.LatentFeatures, o => o.LatentFeaturesColumnName, (_, latent) => latent, NumberDataViewType.Single, false, NetworkOutputs.Latent,
            r => r.Vector(b => b.Latent, r.Stage.Model.LatentDimension),
            (g, network, _) => network.Latent),
        new(OutputKind.Reconstruction, o => o.ReconstructionColumnName, (input, _) => input, NumberDataViewType.Single, true, NetworkOutputs.Reconstruction,
            r => r.Vector(b => b.Reconstruction, r.Stage.Model.InputDimension),
            (g, network, _) => network.Reconstruction),
        new(OutputKind.FeatureContributions, o => o.FeatureContributionsColumnName, (input, _) => input, NumberDataViewType.Single, true, NetworkOutputs.Contributions,
            r => r.Vector(b => b.Contributions, r.Stage.Model.InputDimension),
            (g, network, _) => network.Contributions),
        new(OutputKind.Probability, o => o.ProbabilityColumnName, null, NumberDataViewType.Single, false, None,
            r => r.Single(row => r.Stage.Calibration!.Probability(r.Batch.Scores[row])),
            (g, network, stage) => (stage.Calibration ?? throw new NotSupportedException($"{stage.Stage} emits a probability but holds no calibration.")).EmitOnnx(g, network.Score)),
        new(OutputKind.LatentLogVariance, o => o.LatentLogVarianceColumn, (_, latent) => latent, NumberDataViewType.Single, false, NetworkOutputs.LatentLogVariance,
            r => r.Vector(b => b.LatentLogVariance, r.Stage.Model.LatentDimension),
            (g, network, stage) => network.LatentLogVariance ?? throw new NotSupportedException($"{stage.Stage}: only a variational autoencoder has a latent log-variance.")),
    ];

    private static readonly Dictionary<OutputKind, OutputDefinition> ByKind = All.ToDictionary(d => d.Kind);

    public static OutputDefinition Of(OutputKind kind) => ByKind[kind];

    /// <summary>The definition saved under <paramref name="name"/> (an ONNX model's metadata), or null.</summary>
    public static OutputDefinition? Named(string name) => Enum.TryParse<OutputKind>(name, out var kind) && Enum.IsDefined(kind) ? Of(kind) : null;

    /// <summary>The columns <paramref name="options"/> name, in schema order; their names are checked distinct.</summary>
    public static OutputColumns From(AutoencoderOptionsBase options)
    {
        var columns = All.Select(d => (Name: d.NameOption(options), d.Kind)).Where(c => c.Name is not null).Select(c => new OutputColumn(c.Name!, c.Kind)).ToList();
        foreach (var column in columns) Rules.ForOptions.ColumnName($"{column.Kind}ColumnName", column.Name);
        Rules.ForOptions.Require(columns.Count > 0, "output column names",
            "Every output column name is null: the transformer would add nothing. Keep at least one of ScoreColumnName, PredictedLabelColumnName, " +
            "LatentFeaturesColumnName, ReconstructionColumnName, FeatureContributionsColumnName, ProbabilityColumnName.");
        Rules.ForOptions.Distinct(columns.Select(c => c.Name));
        return new OutputColumns(columns);
    }
}

/// <summary>One column a stage adds.</summary>
internal sealed record OutputColumn(string Name, OutputKind Kind)
{
    [System.Text.Json.Serialization.JsonIgnore]
    public OutputDefinition Definition => OutputCatalogue.Of(Kind);
}

/// <summary>The columns a stage adds (names and kinds), and the schema they form on top of an input schema.</summary>
internal sealed class OutputColumns(IReadOnlyList<OutputColumn> columns)
{
    private const string SlotNames = "SlotNames";

    public IReadOnlyList<OutputColumn> Columns { get; } = columns;

    /// <summary>The name of the column of <paramref name="kind"/>, or null when it is not emitted.</summary>
    public string? NameOf(OutputKind kind) => Columns.FirstOrDefault(c => c.Kind == kind)?.Name;

    public bool Has(OutputKind kind) => Columns.Any(c => c.Kind == kind);

    /// <summary>The network outputs the columns at <paramref name="indexes"/> need.</summary>
    public NetworkOutputs Needs(IEnumerable<int> indexes) => indexes.Aggregate(NetworkOutputs.ScoreOnly, (all, i) => all | Columns[i].Definition.Needs);

    /// <summary>The input's columns followed by ours; ours hide input columns of the same name, as ML.NET transforms do.</summary>
    public DataViewSchema BuildSchema(DataViewSchema input, DataViewSchema.Column? features, int inputDimension, int latentDimension) =>
        BuildSchema(input, features is { } f ? FeatureSlotNames(f) : null, inputDimension, latentDimension);

    /// <summary>The input's columns followed by ours; the per-feature columns carry <paramref name="featureSlotNames"/> (or none).</summary>
    public DataViewSchema BuildSchema(DataViewSchema input, DataViewSchema.Annotations? featureSlotNames, int inputDimension, int latentDimension)
    {
        var builder = new DataViewSchema.Builder();
        builder.AddColumns(input);
        foreach (var column in Columns)
            builder.AddColumn(column.Name, column.Definition.TypeFor(inputDimension, latentDimension), column.Definition.KeepsSlotNames ? featureSlotNames : null);
        return builder.ToSchema();
    }

    /// <summary>Slot-name annotations holding <paramref name="names"/>.</summary>
    public static DataViewSchema.Annotations SlotNameAnnotations(string[] names)
    {
        var builder = new DataViewSchema.Annotations.Builder();
        ValueGetter<VBuffer<ReadOnlyMemory<char>>> getter = (ref VBuffer<ReadOnlyMemory<char>> value) =>
            value = new VBuffer<ReadOnlyMemory<char>>(names.Length, [.. names.Select(n => n.AsMemory())]);
        builder.Add(SlotNames, new VectorDataViewType(TextDataViewType.Instance, names.Length), getter);
        return builder.ToAnnotations();
    }

    /// <summary>Just our columns, as a schema (used to derive <see cref="SchemaShape"/> columns).</summary>
    public DataViewSchema BuildOwnSchema(int inputDimension, int latentDimension) => BuildSchema(new DataViewSchema.Builder().ToSchema(), (DataViewSchema.Annotations?)null, inputDimension, latentDimension);

    // A reconstruction and the contributions keep the input's slot names, so per-feature values stay readable.
    private static DataViewSchema.Annotations? FeatureSlotNames(DataViewSchema.Column features)
    {
        if (features.Annotations.Schema.GetColumnOrNull(SlotNames) is null) return null;
        var builder = new DataViewSchema.Annotations.Builder();
        builder.Add(features.Annotations, name => name == SlotNames);
        return builder.ToAnnotations();
    }
}
