using Microsoft.ML;
using Microsoft.ML.Data;

namespace AnomalyAE.Transforms;

/// <summary>
/// The lazy result of <c>Transform</c> (libtorch or ONNX Runtime): the input's columns plus the model's. Nothing is computed
/// until a cursor asks for one of the model's columns; then rows go through the model a batch at a time.
/// </summary>
/// <param name="input">The data to score.</param>
/// <param name="schema">The input's columns followed by the model's.</param>
/// <param name="modelInputs">The columns of <paramref name="input"/> the model reads.</param>
/// <param name="batchSize">Rows scored together.</param>
/// <param name="createScorer">Makes a scorer of the given capacity.</param>
internal sealed class ScoredDataView(IDataView input, DataViewSchema schema, IReadOnlyList<DataViewSchema.Column> modelInputs,
    int batchSize, Func<int, RowBatchScorer> createScorer) : IDataView
{
    public bool CanShuffle => false;

    public DataViewSchema Schema => schema;

    public long? GetRowCount() => input.GetRowCount();

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
    {
        var needed = columnsNeeded.Select(c => c.Index).ToHashSet();
        var inputCursor = input.GetRowCursor(input.Schema.Where(c => needed.Contains(c.Index)));
        if (!needed.Any(i => i >= input.Schema.Count))
            return new BatchScoringCursor(schema, inputCursor, lookahead: null, scorer: null, needed);
        // A second cursor over the same rows reads the model's inputs ahead, a batch at a time, while the first one
        // serves the pass-through columns of the current row (ML.NET's own batch transforms do the same).
        var lookahead = input.GetRowCursor(modelInputs);
        var scorer = createScorer(batchSize);
        scorer.Bind(lookahead);
        return new BatchScoringCursor(schema, inputCursor, lookahead, scorer, needed);
    }

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
        [GetRowCursor(columnsNeeded, rand)];
}
