using Microsoft.ML;
using Microsoft.ML.Data;

namespace AnomalyAE.Data;

/// <summary>Checks that the feature column exists and is a known-size vector of Single, with messages that say the fix.</summary>
internal static class FeatureColumn
{
    public static DataViewSchema.Column Find(DataViewSchema schema, string name, int? expectedSize)
    {
        var found = schema.GetColumnOrNull(name);
        if (found is null)
            throw new ArgumentOutOfRangeException(nameof(schema),
                $"Feature column '{name}' was not found in the input. Available columns: {Describe(schema)}. " +
                "Set FeatureColumnName, or build the column with ml.Transforms.Concatenate(\"" + name + "\", ...).");
        CheckType(name, found.Value.Type, expectedSize);
        return found.Value;
    }

    public static void Check(SchemaShape schema, string name)
    {
        var column = schema.FirstOrDefault(c => c.Name == name);
        if (column.Name is null)
            throw new ArgumentOutOfRangeException(nameof(schema),
                $"Feature column '{name}' was not found in the input schema. Set FeatureColumnName, or build the column with ml.Transforms.Concatenate(\"{name}\", ...).");
        if (column.Kind != SchemaShape.Column.VectorKind.Vector || column.ItemType != NumberDataViewType.Single || column.IsKey)
            throw new ArgumentOutOfRangeException(nameof(schema),
                $"Feature column '{name}' must be a known-size vector of Single (Vector<Single, n>) but is {column.Kind} of {column.ItemType}. {ConversionHint(name)}");
    }

    private static void CheckType(string name, DataViewType type, int? expectedSize)
    {
        if (type is not VectorDataViewType { ItemType: NumberDataViewType ns } vector || ns != NumberDataViewType.Single || !vector.IsKnownSize)
            throw new ArgumentOutOfRangeException(nameof(type),
                $"Feature column '{name}' must be a known-size vector of Single (Vector<Single, n>) but is {type}. {ConversionHint(name)}");
        if (expectedSize is int size && vector.Size != size)
            throw new ArgumentOutOfRangeException(nameof(type),
                $"Feature column '{name}' has {vector.Size} values per row, but the model was trained on {size} (expected Vector<Single, {size}>, got {type}). " +
                "Score data prepared exactly like the training data (same columns, same order).");
    }

    private static string ConversionHint(string name) =>
        $"Build it with ml.Transforms.Concatenate(\"{name}\", ...) from numeric columns, convert with ml.Transforms.Conversion.ConvertType(\"{name}\", outputKind: DataKind.Single), " +
        "and give variable-length vectors a fixed size (e.g. [VectorType(n)] on the input class).";

    private static string Describe(DataViewSchema schema) =>
        schema.Count == 0 ? "(none)" : string.Join(", ", schema.Where(c => !c.IsHidden).Select(c => $"'{c.Name}' ({c.Type})"));
}
