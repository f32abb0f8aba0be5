using Microsoft.ML;
using Microsoft.ML.Data;

namespace AnomalyAE.Transforms;

/// <summary>
/// A row of <see cref="ScoringRowMapper"/>: input columns pass through; the model's columns score the input's current row
/// on first access, once per position.
/// </summary>
/// <param name="schema">The mapper's output schema.</param>
/// <param name="input">The input row.</param>
/// <param name="inputColumnCount">Columns of the mapper's input schema; the model's columns follow them.</param>
/// <param name="scorer">A scorer of capacity 1; this row owns it.</param>
/// <param name="active">Indexes of the requested columns.</param>
internal sealed class ScoredRow(DataViewSchema schema, DataViewRow input, int inputColumnCount, RowBatchScorer scorer, HashSet<int> active) : DataViewRow
{
    private bool _bound;
    private long _scoredPosition = -1;

    public override DataViewSchema Schema => schema;
    public override long Position => input.Position;
    public override long Batch => input.Batch;
    public override ValueGetter<DataViewRowId> GetIdGetter() => input.GetIdGetter();
    public override bool IsColumnActive(DataViewSchema.Column column) => active.Contains(column.Index);

    public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
    {
        if (column.Index < inputColumnCount) return input.GetGetter<TValue>(input.Schema[column.Index]);
        if (!active.Contains(column.Index)) throw new InvalidOperationException($"Column '{column.Name}' was not requested when this row was created.");
        return scorer.MakeGetter(column.Index - inputColumnCount, EnsureScored) as ValueGetter<TValue>
            ?? throw new InvalidOperationException($"Column '{column.Name}' is {column.Type}, not {typeof(TValue).Name}.");
    }

    private void EnsureScored()
    {
        // PredictionEngine reuses one row object and moves its input; -1 is never a valid position for a fresh score.
        if (_scoredPosition == input.Position && input.Position >= 0 && !scorer.Stale) return;
        // Bound on first use, not at construction: the model's input columns are active only when one of its columns is requested.
        if (!_bound) scorer.Bind(input);
        _bound = true;
        scorer.Load(0, Math.Max(input.Position, 0));
        scorer.Score(1);
        scorer.Current = 0;
        _scoredPosition = input.Position;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) scorer.Dispose();
        base.Dispose(disposing);
    }
}
