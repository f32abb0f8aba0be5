using AnomalyAE.Data;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace AnomalyAE.Transforms;

/// <summary>
/// The single-row path used by <c>PredictionEngine</c>: wraps an input row and scores it on first access
/// to one of our columns.
/// </summary>
internal sealed class ScoringRowMapper : IRowToRowMapper
{
    private readonly ScoringStage _stage;
    private readonly DataViewSchema.Column _features;

    public ScoringRowMapper(DataViewSchema inputSchema, ScoringStage stage)
    {
        InputSchema = inputSchema;
        _stage = stage;
        _features = FeatureColumn.Find(inputSchema, stage.FeatureColumnName, stage.Model.InputDimension);
        OutputSchema = stage.BuildSchema(inputSchema, _features);
    }

    public DataViewSchema InputSchema { get; }
    public DataViewSchema OutputSchema { get; }

    public IEnumerable<DataViewSchema.Column> GetDependencies(IEnumerable<DataViewSchema.Column> dependingColumns)
    {
        var needed = new HashSet<int>();
        foreach (var column in dependingColumns)
            needed.Add(column.Index < InputSchema.Count ? column.Index : _features.Index);
        return InputSchema.Where(c => needed.Contains(c.Index)).ToArray();
    }

    public DataViewRow GetRow(DataViewRow input, IEnumerable<DataViewSchema.Column> activeColumns) =>
        new ScoredRow(this, input, activeColumns.Select(c => c.Index).ToHashSet());

    private sealed class ScoredRow : DataViewRow
    {
        private readonly ScoringRowMapper _mapper;
        private readonly DataViewRow _input;
        private readonly HashSet<int> _active;
        private readonly RowScorer _scorer;
        private bool _bound;
        private long _scoredPosition = -1;

        public ScoredRow(ScoringRowMapper mapper, DataViewRow input, HashSet<int> active)
        {
            _mapper = mapper;
            _input = input;
            _active = active;
            _scorer = new RowScorer(mapper._stage, mapper._features, capacity: 1);
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
            _scorer.Current = 0;
            _scoredPosition = _input.Position;
        }
    }
}
