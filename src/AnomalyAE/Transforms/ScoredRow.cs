using Microsoft.ML;
using Microsoft.ML.Data;

namespace AnomalyAE.Transforms;

/// <summary>
/// A row of <see cref="ScoringRowMapper"/>: input columns pass through; the model's columns score the input's current row
/// on first access, once per position.
/// </summary>
internal sealed class ScoredRow : DataViewRow
{
    private readonly DataViewSchema _schema;
    private readonly DataViewRow _input;
    private readonly int _inputColumnCount;
    private readonly RowBatchScorer _scorer;
    private readonly HashSet<int> _active;
    private bool _bound;
    private long _scoredPosition = -1;

    /// <param name="schema">The mapper's output schema.</param>
    /// <param name="input">The input row.</param>
    /// <param name="inputColumnCount">Columns of the mapper's input schema; the model's columns follow them.</param>
    /// <param name="scorer">A scorer of capacity 1; this row owns it.</param>
    /// <param name="active">Indexes of the requested columns.</param>
    public ScoredRow(DataViewSchema schema, DataViewRow input, int inputColumnCount, RowBatchScorer scorer, HashSet<int> active)
    {
        _schema = schema;
        _input = input;
        _inputColumnCount = inputColumnCount;
        _scorer = scorer;
        _active = active;
    }

    public override DataViewSchema Schema => _schema;
    public override long Position => _input.Position;
    public override long Batch => _input.Batch;
    public override ValueGetter<DataViewRowId> GetIdGetter() => _input.GetIdGetter();
    public override bool IsColumnActive(DataViewSchema.Column column) => _active.Contains(column.Index);

    public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
    {
        if (column.Index < _inputColumnCount) return _input.GetGetter<TValue>(_input.Schema[column.Index]);
        return _scorer.MakeGetter(column.Index - _inputColumnCount, EnsureScored) as ValueGetter<TValue>
            ?? throw new InvalidOperationException($"Column '{column.Name}' is {column.Type}, not {typeof(TValue).Name}.");
    }

    private void EnsureScored()
    {
        // PredictionEngine reuses one row object and moves its input; -1 is never a valid position for a fresh score.
        if (_scoredPosition == _input.Position && _input.Position >= 0) return;
        // Bound on first use, not at construction: the model's input columns are active only when one of its columns is requested.
        if (!_bound) _scorer.Bind(_input);
        _bound = true;
        _scorer.Load(0, Math.Max(_input.Position, 0));
        _scorer.Score(1);
        _scorer.Current = 0;
        _scoredPosition = _input.Position;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) _scorer.Dispose();
        base.Dispose(disposing);
    }
}
