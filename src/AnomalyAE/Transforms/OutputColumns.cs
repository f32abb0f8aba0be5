using Microsoft.ML;
using Microsoft.ML.Data;

namespace AnomalyAE.Transforms;

/// <summary>What an output column carries.</summary>
internal enum OutputKind { Score, PredictedLabel, LatentFeatures, Reconstruction, LatentLogVariance, FeatureContributions, Probability }

/// <summary>One column a transformer adds.</summary>
internal sealed record OutputColumn(string Name, OutputKind Kind);

/// <summary>
/// The columns a transformer adds (names and kinds), and the schema they form on top of an input schema. The vector
/// widths come from the network's spec, where they are stored once.
/// </summary>
internal sealed class OutputColumns
{
    private const string SlotNames = "SlotNames";

    public OutputColumns(IReadOnlyList<OutputColumn> columns) => Columns = columns;

    public IReadOnlyList<OutputColumn> Columns { get; }

    /// <summary>The name of the column of <paramref name="kind"/>, or null when it is not emitted.</summary>
    public string? NameOf(OutputKind kind) => Columns.FirstOrDefault(c => c.Kind == kind)?.Name;

    public bool Has(OutputKind kind) => Columns.Any(c => c.Kind == kind);

    /// <summary>These columns less the one of <paramref name="kind"/>.</summary>
    public OutputColumns Without(OutputKind kind) => new([.. Columns.Where(c => c.Kind != kind)]);

    public static DataViewType TypeOf(OutputKind kind, int inputDimension, int latentDimension) => kind switch
    {
        OutputKind.Score or OutputKind.Probability => NumberDataViewType.Single,
        OutputKind.PredictedLabel => BooleanDataViewType.Instance,
        OutputKind.LatentFeatures or OutputKind.LatentLogVariance => new VectorDataViewType(NumberDataViewType.Single, latentDimension),
        OutputKind.Reconstruction or OutputKind.FeatureContributions => new VectorDataViewType(NumberDataViewType.Single, inputDimension),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    /// <summary>The input's columns followed by ours; ours hide input columns of the same name, as ML.NET transforms do.</summary>
    public DataViewSchema BuildSchema(DataViewSchema input, DataViewSchema.Column features, int inputDimension, int latentDimension)
    {
        var builder = new DataViewSchema.Builder();
        builder.AddColumns(input);
        foreach (var column in Columns)
            builder.AddColumn(column.Name, TypeOf(column.Kind, inputDimension, latentDimension), Annotations(column.Kind, features));
        return builder.ToSchema();
    }

    /// <summary>Just our columns, as a schema (used to derive <see cref="SchemaShape"/> columns).</summary>
    public DataViewSchema BuildOwnSchema(int inputDimension, int latentDimension)
    {
        var builder = new DataViewSchema.Builder();
        foreach (var column in Columns) builder.AddColumn(column.Name, TypeOf(column.Kind, inputDimension, latentDimension));
        return builder.ToSchema();
    }

    private static DataViewSchema.Annotations? Annotations(OutputKind kind, DataViewSchema.Column features)
    {
        // A reconstruction and the contributions keep the input's slot names, so per-feature values stay readable.
        if (kind is not (OutputKind.Reconstruction or OutputKind.FeatureContributions)) return null;
        var slotNames = features.Annotations.Schema.GetColumnOrNull(SlotNames);
        if (slotNames is null) return null;
        var builder = new DataViewSchema.Annotations.Builder();
        builder.Add(features.Annotations, name => name == SlotNames);
        return builder.ToAnnotations();
    }
}
