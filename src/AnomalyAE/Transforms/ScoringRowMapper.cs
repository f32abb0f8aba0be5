using Microsoft.ML;
using Microsoft.ML.Data;

namespace AnomalyAE.Transforms;

/// <summary>
/// The single-row path used by <c>PredictionEngine</c> (libtorch or ONNX Runtime): wraps an input row and scores it on first
/// access to one of the model's columns.
/// </summary>
/// <param name="inputSchema">The schema of the rows to score.</param>
/// <param name="outputSchema">The input's columns followed by the model's.</param>
/// <param name="modelInputs">The columns of <paramref name="inputSchema"/> the model reads.</param>
/// <param name="createScorer">Makes a scorer of the given capacity.</param>
internal sealed class ScoringRowMapper(DataViewSchema inputSchema, DataViewSchema outputSchema,
    IReadOnlyList<DataViewSchema.Column> modelInputs, Func<int, RowBatchScorer> createScorer) : IRowToRowMapper
{
    public DataViewSchema InputSchema => inputSchema;
    public DataViewSchema OutputSchema => outputSchema;

    public IEnumerable<DataViewSchema.Column> GetDependencies(IEnumerable<DataViewSchema.Column> dependingColumns)
    {
        var needed = new HashSet<int>();
        foreach (var column in dependingColumns)
        {
            if (column.Index < inputSchema.Count) needed.Add(column.Index);
            else foreach (var modelInput in modelInputs) needed.Add(modelInput.Index);
        }
        return inputSchema.Where(c => needed.Contains(c.Index)).ToArray();
    }

    public DataViewRow GetRow(DataViewRow input, IEnumerable<DataViewSchema.Column> activeColumns) =>
        new ScoredRow(outputSchema, input, inputSchema.Count, createScorer(1), activeColumns.Select(c => c.Index).ToHashSet());
}
