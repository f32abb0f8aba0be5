using Microsoft.ML;
using Microsoft.ML.Data;

namespace AnomalyAE.Transforms;

/// <summary>
/// Cursor over <see cref="ScoredDataView"/>: input columns pass through from the input cursor; our columns
/// come from batches of rows read ahead by a second cursor and scored in one forward pass.
/// </summary>
internal sealed class ScoredRowCursor : DataViewRowCursor
{
    private readonly IDataView _parent;
    private readonly ScoringStage _stage;
    private readonly DataViewRowCursor _input;
    private readonly DataViewRowCursor? _lookahead;
    private readonly ValueGetter<VBuffer<float>>? _features;
    private readonly HashSet<int> _active;
    private readonly RowScorer? _scorer;
    private VBuffer<float> _row;
    private long _batchStart = -1;
    private int _batchCount;

    public ScoredRowCursor(IDataView parent, ScoringStage stage, DataViewRowCursor input, DataViewRowCursor? lookahead,
        DataViewSchema.Column featureColumn, HashSet<int> active)
    {
        _parent = parent;
        _stage = stage;
        _input = input;
        _lookahead = lookahead;
        _active = active;
        if (lookahead is null) return;
        _features = lookahead.GetGetter<VBuffer<float>>(featureColumn);
        _scorer = new RowScorer(stage, stage.Model.BatchSize);
    }

    public override DataViewSchema Schema => _parent.Schema;
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
        var kind = _stage.Outputs.Columns[column.Index - inputCount].Kind;
        return _scorer.MakeGetter(kind, EnsureScored) as ValueGetter<TValue>
            ?? throw new InvalidOperationException($"Column '{column.Name}' is {_stage.TypeOf(kind)}, not {typeof(TValue).Name}.");
    }

    private void EnsureScored()
    {
        long position = _input.Position;
        if (position < _batchStart || position >= _batchStart + _batchCount) ScoreBatchFrom(position);
        _scorer!.Current = (int)(position - _batchStart);
    }

    private void ScoreBatchFrom(long position)
    {
        // Rows the consumer skipped without asking for our columns are skipped here too.
        while (_lookahead!.Position < position)
            if (!_lookahead.MoveNext()) throw new InvalidOperationException("The input returned fewer rows on a second pass; AnomalyAE needs inputs whose cursors are repeatable.");
        int count = 0;
        do
        {
            _features!(ref _row);
            _scorer!.Load(count, _row, _lookahead.Position);
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
        }
        base.Dispose(disposing);
    }
}
