using Microsoft.ML;

namespace AnomalyAE.Hosting.Records;

/// <summary>
/// Scores the records of a sequence model online: each record is a time step scored once, when it arrives, against the
/// window of its own series (<see cref="OnlineSequenceScorer"/>, the estimator's <c>LastWindow</c> score). Windows belong to
/// a scope (an inbox file, a stream: <see cref="ISeriesHistory"/>); before a batch is scored, every window it needs that this
/// process does not hold — after a restart, a reclaim, a failed commit or a model change — is rebuilt from the records
/// before it (<see cref="PrepareAsync"/>), so a record gets the same score whichever worker scores it, and however often.
/// Not thread-safe: the worker scores one batch at a time.
/// </summary>
internal sealed class SeriesRecordScorer : RecordScorer
{
    private const int MaxScopes = 64;
    private readonly DataViewSchema _inputSchema;
    private readonly OnlineSequenceScorerOptions _options;
    private readonly string[]? _seriesField;
    private readonly bool _numericSeries;
    private readonly string[]? _orderField;
    private readonly Dictionary<string, Scope> _scopes = new(StringComparer.Ordinal);
    private long _uses;
    private RecordBatch? _outOfTurn;

    public SeriesRecordScorer(ITransformer model, ScoringContract contract, string idField, OnlineSequenceScorerOptions options) : base(model, contract, idField)
    {
        _inputSchema = contract.RecordSchema;
        _options = options;
        var detector = (SequenceAutoencoderTransformer)contract.Detector;
        HistoryDepth = detector.HistoryDepth;
        _seriesField = detector.SeriesColumnName is { } field ? [field] : null;
        _orderField = detector.OrderColumnName is { } order ? [order] : null;
        _numericSeries = _seriesField is not null && contract.RecordSchema.GetColumnOrNull(_seriesField[0])?.Type is not Microsoft.ML.Data.TextDataViewType;
        _ = new OnlineSequenceScorer(model, _inputSchema, options); // checks the options against the model at load
    }

    /// <summary>True when the model of <paramref name="contract"/> scores series (its detector is a sequence autoencoder).</summary>
    public static bool Serves(ScoringContract contract) => contract.Detector is SequenceAutoencoderTransformer;

    /// <summary>Records of a series before a record that its score depends on (<see cref="SequenceAutoencoderTransformer.HistoryDepth"/>): what a rebuild reads back.</summary>
    public int HistoryDepth { get; }

    /// <summary>Rebuilds, from the records before <paramref name="batch"/>, the windows it needs that this scorer does not hold.</summary>
    public async Task PrepareAsync(RecordBatch batch, CancellationToken cancellationToken)
    {
        if (batch.History is not { } history) return;
        if (history.AtStart)
        {
            _scopes.Remove(history.Scope);
            return;
        }
        bool fresh = !_scopes.ContainsKey(history.Scope);
        var scope = Open(history.Scope);
        IReadOnlySet<string>? needed = null;
        if (history.Contiguous)
        {
            if (!fresh) return; // its batches follow each other: a series it does not hold is new
        }
        else
        {
            // In turn: every record is newer than any taken before (entries read as they arrive). Out of turn (redelivered,
            // reclaimed): every window the batch needs is rebuilt, and forgotten after it (it ends in the past).
            var frontier = scope.Frontier;
            bool inTurn = true;
            var series = new HashSet<string>(StringComparer.Ordinal);
            for (int r = 0; r < batch.Count; r++)
            {
                if (batch.Problem(r) is not null) continue;
                series.Add(SeriesOf(batch, r));
                if (history.Position(r).CompareTo(frontier) <= 0) inTurn = false;
            }
            if (!inTurn) _outOfTurn = batch;
            // In turn, a held window is kept unless other consumers took records of its series since (null: too many to tell).
            if (inTurn && await StaleWindows(history, scope, series, batch.Count, cancellationToken) is { } stale)
                series.RemoveWhere(name => scope.Scorer.Holds(name) && !stale.Contains(name));
            if (series.Count == 0) return;
            foreach (var name in series) scope.Scorer.Forget(name);
            needed = series;
        }
        await foreach (var past in history.BeforeAsync(needed, SeriesOf, HistoryDepth, cancellationToken))
            scope.Scorer.Score(Parse(past, new int[past.Count], new string?[past.Count]));
    }

    /// <summary>
    /// The batch's series whose held windows miss records that other consumers of the same source took since this scope's
    /// frontier (their records lie between it and the batch), or null when too many lie between to tell: then every window
    /// the batch needs is rebuilt. One consumer per series (a stream per partition) finds nothing between, at one range read.
    /// </summary>
    private async Task<HashSet<string>?> StaleWindows(ISeriesHistory history, Scope scope, HashSet<string> series, int batchSize, CancellationToken cancellationToken)
    {
        var stale = new HashSet<string>(StringComparer.Ordinal);
        if (scope.Frontier == (-1, -1)) return stale; // this scope holds nothing yet
        var between = await history.BetweenAsync(scope.Frontier, Math.Max(4 * batchSize, 4096), cancellationToken);
        if (between is null) return null;
        for (int r = 0; r < between.Count; r++)
            if (SeriesOf(between, r) is var name && series.Contains(name)) stale.Add(name);
        return stale;
    }

    /// <inheritdoc />
    public override ScoredBatch Score(RecordBatch batch)
    {
        var scope = Open(batch.History?.Scope ?? "");
        int count = batch.Count;
        var rowOf = new int[count];
        var errors = new string?[count];
        var steps = scope.Scorer.Score(Parse(batch, rowOf, errors));
        if (batch.History is { Contiguous: false } source)
        {
            if (ReferenceEquals(_outOfTurn, batch)) Forget(batch);
            else for (int r = 0; r < count; r++) if (rowOf[r] >= 0 && source.Position(r).CompareTo(scope.Frontier) > 0) scope.Frontier = source.Position(r);
            _outOfTurn = null;
        }
        var scores = new float[count];
        var anomalous = new bool[count];
        var series = new string?[count];
        var stepOf = new string?[count];
        Dictionary<int, float[]>? shares = null;
        for (int r = 0; r < count; r++)
        {
            int row = rowOf[r];
            scores[r] = float.NaN;
            if (row < 0) continue;
            if (steps.Status(row) == SequenceStepStatus.Rejected)
            {
                errors[r] = steps.Problem(row);
                continue;
            }
            series[r] = steps.Series(row);
            stepOf[r] = _orderField is null ? steps.StepOfSeries(row).ToString(System.Globalization.CultureInfo.InvariantCulture) : batch.Field(r, _orderField);
            scores[r] = steps.Score(row);
            anomalous[r] = steps.PredictedLabel(row);
            if (anomalous[r] && steps.HasFeatureContributions) (shares ??= [])[r] = steps.FeatureContributions(row).ToArray();
        }
        return new ScoredBatch(batch, Contract.ScoreColumnName, Contract.PredictedLabelColumnName, scores, anomalous, errors, FeatureNames, shares)
        {
            SeriesField = _seriesField?[0] ?? "series",
            Series = series,
            Steps = stepOf,
        };
    }

    /// <summary>Forgets the windows a batch may have moved before its outcomes were committed: they are rebuilt before its records come again.</summary>
    public void Forget(RecordBatch batch)
    {
        if (batch.History is not { } history || !_scopes.TryGetValue(history.Scope, out var scope)) return;
        if (history.Contiguous)
        {
            _scopes.Remove(history.Scope);
            return;
        }
        for (int r = 0; r < batch.Count; r++) if (batch.Problem(r) is null) scope.Scorer.Forget(SeriesOf(batch, r));
    }

    /// <summary>The record's series as the scorer names it: the field's text, a number in its shortest round-trip form.</summary>
    private string SeriesOf(RecordBatch batch, int record)
    {
        if (_seriesField is null) return "";
        string text = batch.Field(record, _seriesField) ?? "";
        return _numericSeries && double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double number)
            ? ((double)(float)number).ToString("R", System.Globalization.CultureInfo.InvariantCulture) : text;
    }

    /// <summary>The scope's windows, made when first needed; beyond <see cref="MaxScopes"/> the least recently used is dropped.</summary>
    private Scope Open(string name)
    {
        if (!_scopes.TryGetValue(name, out var scope))
        {
            if (_scopes.Count >= MaxScopes) _scopes.Remove(_scopes.MinBy(s => s.Value.Used).Key);
            scope = new Scope(new OnlineSequenceScorer(Model, _inputSchema, _options));
            _scopes[name] = scope;
        }
        scope.Used = ++_uses;
        return scope;
    }

    private sealed class Scope(OnlineSequenceScorer scorer)
    {
        public OnlineSequenceScorer Scorer { get; } = scorer;
        /// <summary>The newest record taken in turn (sources that are not contiguous).</summary>
        public (long, long) Frontier { get; set; } = (-1, -1);
        public long Used { get; set; }
    }
}
