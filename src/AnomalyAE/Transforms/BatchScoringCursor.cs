using Microsoft.ML;
using Microsoft.ML.Data;

namespace AnomalyAE.Transforms;

/// <summary>
/// Cursor over <see cref="ScoredDataView"/>: input columns pass through from the input cursor; the model's columns come
/// from batches of rows read ahead by a second cursor and scored together by a <see cref="RowBatchScorer"/>.
/// </summary>
internal sealed class BatchScoringCursor : DataViewRowCursor
{
    private readonly DataViewSchema _schema;
    private readonly DataViewRowCursor _input;
    private readonly DataViewRowCursor? _lookahead;
    private readonly RowBatchScorer? _scorer;
    private readonly HashSet<int> _active;
    private long _batchStart = -1;
    private int _batchCount;

    /// <param name="schema">The scored view's schema.</param>
    /// <param name="input">Cursor over the input's requested columns.</param>
    /// <param name="lookahead">Cursor over the columns the model reads, bound to <paramref name="scorer"/>; both null when no column of the model is requested.</param>
    /// <param name="scorer">Scores the rows <paramref name="lookahead"/> reads.</param>
    /// <param name="active">Indexes of the requested columns.</param>
    public BatchScoringCursor(DataViewSchema schema, DataViewRowCursor input, DataViewRowCursor? lookahead, RowBatchScorer? scorer, HashSet<int> active)
    {
        _schema = schema;
        _input = input;
        _lookahead = lookahead;
        _scorer = scorer;
        _active = active;
    }

    public override DataViewSchema Schema => _schema;
    public override long Position => _input.Position;
    public override long Batch => _input.Batch;
    public override bool MoveNext() => _input.MoveNext();
    public override ValueGetter<DataViewRowId> GetIdGetter() => _input.GetIdGetter();
    public override bool IsColumnActive(DataViewSchema.Column column) => _active.Contains(column.Index);

    public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
    {
        int inputCount = _input.Schema.Count;
        if (column.Index < inputCount) return _input.GetGetter<TValue>(_input.Schema[column.Index]);
        if (_scorer is null || !_active.Contains(column.Index))
            throw new InvalidOperationException($"Column '{column.Name}' was not requested when this cursor was created.");
        return _scorer.MakeGetter(column.Index - inputCount, EnsureScored) as ValueGetter<TValue>
            ?? throw new InvalidOperationException($"Column '{column.Name}' is {column.Type}, not {typeof(TValue).Name}.");
    }

    private void EnsureScored()
    {
        long position = _input.Position;
        if (position < _batchStart || position >= _batchStart + _batchCount) ScoreBatchFrom(position);
        _scorer!.Current = (int)(position - _batchStart);
    }

    private void ScoreBatchFrom(long position)
    {
        // Rows the consumer skipped without asking for the model's columns are skipped here too.
        while (_lookahead!.Position < position)
            if (!_lookahead.MoveNext()) throw new InvalidOperationException("The input returned fewer rows on a second pass; AnomalyAE needs inputs whose cursors are repeatable.");
        int count = 0;
        do
        {
            _scorer!.Load(count, _lookahead.Position);
            count++;
        }
        while (count < _scorer.Capacity && _lookahead.MoveNext());
        _scorer.Score(count);
        _batchStart = position;
        _batchCount = count;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _input.Dispose();
            _lookahead?.Dispose();
            _scorer?.Dispose();
        }
        base.Dispose(disposing);
    }
}
