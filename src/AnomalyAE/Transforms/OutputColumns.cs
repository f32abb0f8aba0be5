using Microsoft.ML;
using Microsoft.ML.Data;

namespace AnomalyAE.Transforms;

/// <summary>What an output column carries.</summary>
internal enum OutputKind { Score, PredictedLabel, LatentFeatures, Reconstruction, LatentLogVariance }

/// <summary>One column a transformer adds.</summary>
internal sealed record OutputColumn(string Name, OutputKind Kind);

/// <summary>The columns a transformer adds, and the schema they form on top of an input schema.</summary>
internal sealed class OutputColumns
{
    private const string SlotNames = "SlotNames";

    public OutputColumns(IReadOnlyList<OutputColumn> columns, int inputDimension, int latentDimension)
    {
        Columns = columns;
        InputDimension = inputDimension;
        LatentDimension = latentDimension;
    }

    public IReadOnlyList<OutputColumn> Columns { get; }
    public int InputDimension { get; }
    public int LatentDimension { get; }

    public bool Has(OutputKind kind) => Columns.Any(c => c.Kind == kind);

    public DataViewType TypeOf(OutputKind kind) => kind switch
    {
        OutputKind.Score => NumberDataViewType.Single,
        OutputKind.PredictedLabel => BooleanDataViewType.Instance,
        OutputKind.LatentFeatures or OutputKind.LatentLogVariance => new VectorDataViewType(NumberDataViewType.Single, LatentDimension),
        OutputKind.Reconstruction => new VectorDataViewType(NumberDataViewType.Single, InputDimension),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    /// <summary>The input's columns followed by ours; ours hide input columns of the same name, as ML.NET transforms do.</summary>
    public DataViewSchema BuildSchema(DataViewSchema input, DataViewSchema.Column features)
    {
        var builder = new DataViewSchema.Builder();
        builder.AddColumns(input);
        foreach (var column in Columns)
            builder.AddColumn(column.Name, TypeOf(column.Kind), Annotations(column.Kind, features));
        return builder.ToSchema();
    }

    /// <summary>Just our columns, as a schema (used to derive <see cref="SchemaShape"/> columns).</summary>
    public DataViewSchema BuildOwnSchema()
    {
        var builder = new DataViewSchema.Builder();
        foreach (var column in Columns) builder.AddColumn(column.Name, TypeOf(column.Kind));
        return builder.ToSchema();
    }

    private static DataViewSchema.Annotations? Annotations(OutputKind kind, DataViewSchema.Column features)
    {
        // A reconstruction keeps the input's slot names, so per-feature errors stay readable.
        if (kind != OutputKind.Reconstruction) return null;
        var slotNames = features.Annotations.Schema.GetColumnOrNull(SlotNames);
        if (slotNames is null) return null;
        var builder = new DataViewSchema.Annotations.Builder();
        builder.Add(features.Annotations, name => name == SlotNames);
        return builder.ToAnnotations();
    }
}
