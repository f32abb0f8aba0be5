using Microsoft.ML;
using Microsoft.ML.Data;

namespace AnomalyAE.Transforms;

/// <summary>
/// Turns a <see cref="DataViewSchema"/> into <see cref="SchemaShape"/> columns. <c>SchemaShape.Column</c>'s constructor
/// is internal; ML.NET's public route is a loader whose output schema is the one we built, extended by an empty chain.
/// </summary>
internal static class SchemaShapes
{
    public static SchemaShape Of(DataViewSchema schema) =>
        new SchemaOnlyLoader(schema).Append(new EstimatorChain<ITransformer>()).GetOutputSchema();

    /// <summary><paramref name="input"/> with <paramref name="added"/> appended; an added column replaces an input column of the same name.</summary>
    public static SchemaShape Extend(SchemaShape input, DataViewSchema added)
    {
        var ours = Of(added);
        var names = ours.Select(c => c.Name).ToHashSet();
        return new SchemaShape(input.Where(c => !names.Contains(c.Name)).Concat(ours));
    }

    private sealed class SchemaOnlyLoader(DataViewSchema schema) : IDataLoader<int>
    {
        public DataViewSchema GetOutputSchema() => schema;
        public IDataView Load(int input) => throw new NotSupportedException("Schema-only loader.");
        void ICanSaveModel.Save(ModelSaveContext ctx) => throw new NotSupportedException("Schema-only loader.");
    }
}
