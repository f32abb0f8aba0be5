using Microsoft.ML;
using Microsoft.ML.Data;

namespace AnomalyAE.Persistence;

/// <summary>A model as a flat list of transformers, each with the schema that flows into it.</summary>
internal static class PipelineStages
{
    /// <summary>Nested chains are flattened: applying the flat list is the same as applying the tree.</summary>
    public static List<(ITransformer Transformer, DataViewSchema Input)> Flatten(ITransformer model, DataViewSchema inputSchema)
    {
        var stages = new List<(ITransformer, DataViewSchema)>();
        var schema = inputSchema;
        void Visit(ITransformer transformer)
        {
            if (transformer is IEnumerable<ITransformer> chain)
            {
                foreach (var inner in chain) Visit(inner);
                return;
            }
            stages.Add((transformer, schema));
            schema = transformer.GetOutputSchema(schema);
        }
        Visit(model);
        return stages;
    }
}
