using Microsoft.ML;
using Microsoft.ML.Data;

namespace AnomalyAE.Onnx;

/// <summary>
/// The lazy result of <see cref="OnnxScoringTransformer.Transform"/>: the input's columns plus the model's outputs, scored a
/// batch at a time by a second cursor that reads the graph's input columns ahead (as the libtorch <c>ScoredDataView</c>).
/// </summary>
internal sealed class OnnxScoredDataView(IDataView input, OnnxScoringModel model, DataViewSchema schema) : IDataView
{
    public bool CanShuffle => false;
    public DataViewSchema Schema => schema;
    public long? GetRowCount() => input.GetRowCount();

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
    {
        var needed = columnsNeeded.Select(c => c.Index).ToHashSet();
        var inputCursor = input.GetRowCursor(input.Schema.Where(c => needed.Contains(c.Index)));
        bool ours = needed.Any(i => i >= input.Schema.Count);
        var lookahead = ours ? input.GetRowCursor(model.Inputs.Select(i => OnnxInputColumns.Find(input.Schema, i))) : null;
        return new Cursor(this, model, inputCursor, lookahead, needed);
    }

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
        [GetRowCursor(columnsNeeded, rand)];

    private sealed class Cursor : DataViewRowCursor
    {
        private readonly OnnxScoredDataView _parent;
        private readonly DataViewRowCursor _input;
        private readonly DataViewRowCursor? _lookahead;
        private readonly HashSet<int> _active;
        private readonly OnnxBatchRunner? _runner;
        private readonly OnnxInputColumns? _columns;
        private readonly OnnxOutputGetters? _getters;
        private long _batchStart = -1;
        private int _batchCount;

        public Cursor(OnnxScoredDataView parent, OnnxScoringModel model, DataViewRowCursor input, DataViewRowCursor? lookahead, HashSet<int> active)
        {
            _parent = parent;
            _input = input;
            _lookahead = lookahead;
            _active = active;
            if (lookahead is null) return;
            _runner = new OnnxBatchRunner(model, Math.Max(1, model.Info.BatchSize));
            _columns = new OnnxInputColumns(model, lookahead);
            _getters = new OnnxOutputGetters(_runner, model);
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
            if (_getters is null || !_active.Contains(column.Index))
                throw new InvalidOperationException($"Column '{column.Name}' was not requested when this cursor was created.");
            return _getters.Make(column.Index - inputCount, EnsureScored) as ValueGetter<TValue>
                ?? throw new InvalidOperationException($"Column '{column.Name}' is {column.Type}, not {typeof(TValue).Name}.");
        }

        private void EnsureScored()
        {
            long position = _input.Position;
            if (position < _batchStart || position >= _batchStart + _batchCount) ScoreBatchFrom(position);
            _getters!.Current = (int)(position - _batchStart);
        }

        private void ScoreBatchFrom(long position)
        {
            while (_lookahead!.Position < position)
                if (!_lookahead.MoveNext()) throw new InvalidOperationException("The input returned fewer rows on a second pass; scoring needs inputs whose cursors are repeatable.");
            int count = 0;
            do
            {
                _columns!.Read(_runner!, count, _lookahead.Position);
                count++;
            }
            while (count < _runner!.Capacity && _lookahead.MoveNext());
            _runner.Run(count);
            _batchStart = position;
            _batchCount = count;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _input.Dispose();
                _lookahead?.Dispose();
                _runner?.Dispose();
            }
            base.Dispose(disposing);
        }
    }
}
