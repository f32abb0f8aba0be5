using Microsoft.ML;
using Microsoft.ML.Data;

namespace AnomalyAE.Transforms;

/// <summary>
/// Cursor over <see cref="ScoredDataView"/>: input columns pass through from the input cursor; the model's columns come
/// from batches of rows read ahead by a second cursor and scored together by a <see cref="RowBatchScorer"/>.
/// </summary>
/// <param name="schema">The scored view's schema.</param>
/// <param name="input">Cursor over the input's requested columns.</param>
/// <param name="lookahead">Cursor over the columns the model reads, bound to <paramref name="scorer"/>; both null when no column of the model is requested.</param>
/// <param name="scorer">Scores the rows <paramref name="lookahead"/> reads; this cursor owns it.</param>
/// <param name="active">Indexes of the requested columns.</param>
internal sealed class BatchScoringCursor(DataViewSchema schema, DataViewRowCursor input, DataViewRowCursor? lookahead,
    RowBatchScorer? scorer, HashSet<int> active) : DataViewRowCursor
{
    private long _batchStart = -1;
    private int _batchCount;

    public override DataViewSchema Schema => schema;
    public override long Position => input.Position;
    public override long Batch => input.Batch;
    public override bool MoveNext() => input.MoveNext();
    public override ValueGetter<DataViewRowId> GetIdGetter() => input.GetIdGetter();
    public override bool IsColumnActive(DataViewSchema.Column column) => active.Contains(column.Index);

    public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
    {
        int inputCount = input.Schema.Count;
        if (column.Index < inputCount) return input.GetGetter<TValue>(input.Schema[column.Index]);
        if (scorer is null || !active.Contains(column.Index))
            throw new InvalidOperationException($"Column '{column.Name}' was not requested when this cursor was created.");
        return scorer.MakeGetter(column.Index - inputCount, EnsureScored) as ValueGetter<TValue>
            ?? throw new InvalidOperationException($"Column '{column.Name}' is {column.Type}, not {typeof(TValue).Name}.");
    }

    private void EnsureScored()
    {
        long position = input.Position;
        if (position < _batchStart || position >= _batchStart + _batchCount) ScoreBatchFrom(position);
        else if (scorer!.Stale) scorer.Score(_batchCount);   // a getter made after scoring needs more outputs: the rows are still loaded
        scorer!.Current = (int)(position - _batchStart);
    }

    private void ScoreBatchFrom(long position)
    {
        // Rows the consumer skipped without asking for the model's columns are skipped here too.
        while (lookahead!.Position < position)
            if (!lookahead.MoveNext()) throw new InvalidOperationException("The input returned fewer rows on a second pass; AnomalyAE needs inputs whose cursors are repeatable.");
        int count = 0;
        do
        {
            scorer!.Load(count, lookahead.Position);
            count++;
        }
        while (count < scorer.Capacity && lookahead.MoveNext());
        scorer.Score(count);
        _batchStart = position;
        _batchCount = count;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            input.Dispose();
            lookahead?.Dispose();
            scorer?.Dispose();
        }
        base.Dispose(disposing);
    }
}
