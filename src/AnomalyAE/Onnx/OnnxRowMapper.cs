using Microsoft.ML;
using Microsoft.ML.Data;

namespace AnomalyAE.Onnx;

/// <summary>The single-row path used by <c>PredictionEngine</c>: scores the row on first access to an output column.</summary>
internal sealed class OnnxRowMapper(DataViewSchema inputSchema, OnnxScoringModel model, DataViewSchema outputSchema) : IRowToRowMapper
{
    public DataViewSchema InputSchema => inputSchema;
    public DataViewSchema OutputSchema => outputSchema;

    public IEnumerable<DataViewSchema.Column> GetDependencies(IEnumerable<DataViewSchema.Column> dependingColumns)
    {
        var needed = new HashSet<int>();
        foreach (var column in dependingColumns)
        {
            if (column.Index < inputSchema.Count) needed.Add(column.Index);
            else foreach (var input in model.Inputs) needed.Add(OnnxInputColumns.Find(inputSchema, input).Index);
        }
        return inputSchema.Where(c => needed.Contains(c.Index)).ToArray();
    }

    public DataViewRow GetRow(DataViewRow input, IEnumerable<DataViewSchema.Column> activeColumns) =>
        new ScoredRow(this, input, activeColumns.Select(c => c.Index).ToHashSet());

    private sealed class ScoredRow : DataViewRow
    {
        private readonly OnnxRowMapper _mapper;
        private readonly DataViewRow _input;
        private readonly HashSet<int> _active;
        private readonly OnnxBatchScorer _scorer;
        private bool _bound;
        private long _scoredPosition = -1;

        public ScoredRow(OnnxRowMapper mapper, DataViewRow input, HashSet<int> active)
        {
            _mapper = mapper;
            _input = input;
            _active = active;
            _scorer = new OnnxBatchScorer(mapper.Model, capacity: 1);
        }

        public override DataViewSchema Schema => _mapper.OutputSchema;
        public override long Position => _input.Position;
        public override long Batch => _input.Batch;
        public override ValueGetter<DataViewRowId> GetIdGetter() => _input.GetIdGetter();
        public override bool IsColumnActive(DataViewSchema.Column column) => _active.Contains(column.Index);

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            int inputCount = _mapper.InputSchema.Count;
            if (column.Index < inputCount) return _input.GetGetter<TValue>(_input.Schema[column.Index]);
            return _scorer.MakeGetter(column.Index - inputCount, EnsureScored) as ValueGetter<TValue>
                ?? throw new InvalidOperationException($"Column '{column.Name}' is {column.Type}, not {typeof(TValue).Name}.");
        }

        private void EnsureScored()
        {
            // PredictionEngine reuses one row object and moves its input; -1 is never a valid position for a fresh score.
            if (_scoredPosition == _input.Position && _input.Position >= 0) return;
            if (!_bound) _scorer.Bind(_input);
            _bound = true;
            _scorer.Load(0, Math.Max(_input.Position, 0));
            _scorer.Score(1);
            _scoredPosition = _input.Position;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing) _scorer.Dispose();
            base.Dispose(disposing);
        }
    }

    private OnnxScoringModel Model => model;
}
