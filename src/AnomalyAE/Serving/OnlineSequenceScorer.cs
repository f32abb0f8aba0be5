using AnomalyAE.Networks;
using AnomalyAE.Runtime;
using AnomalyAE.Series;
using AnomalyAE.Transforms;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace AnomalyAE;

/// <summary>
/// Scores the steps of many series as they arrive, each against the window of its own series: the online form of a
/// <see cref="SequenceAutoencoderTransformer"/>. Steps of different series may be interleaved in and across calls; each
/// series keeps its last <c>WindowSize</c> steps between calls. A step's score is the score of the window ending at it, so
/// a series scored step by step gets the scores that <c>Transform</c> gives it under
/// <see cref="WindowScoreAggregation.LastWindow"/> (up to float rounding of batches of another size).
/// </summary>
/// <remarks>
/// <para>Decided per step, with the model's order column (without one, arrival order is the order and every step is new):</para>
/// <list type="bullet">
/// <item>A series never seen (or forgotten) starts an empty window: its first <c>WindowSize</c> − 1 steps are
/// <see cref="SequenceStepStatus.WarmingUp"/>, with the results <c>Transform</c> gives the first steps of a series.</item>
/// <item>An order value before the series' last one is <see cref="SequenceStepStatus.Rejected"/> (late records are not
/// inserted into a window that has moved on); the window does not move.</item>
/// <item>The order value of the series' last step again, with the same values, is <see cref="SequenceStepStatus.Repeated"/>
/// (an HTTP retry, a redelivery): it gets the last step's results again. With other values it is rejected.</item>
/// <item>A step more than <see cref="OnlineSequenceScorerOptions.MaxGap"/> after the series' last starts the window again.</item>
/// <item>Missing values follow the model's <see cref="SequenceAutoencoderTransformer.MissingValues"/>; one the model refuses rejects the step.</item>
/// </list>
/// <para>Under a score baseline (<see cref="SequenceAutoencoderTransformer.ScoreBaselineSteps"/>) a series also keeps its
/// recent scores, up to twice that many floats; a series that starts again (new, forgotten, after a gap) starts them again.
/// A scorer that lost a series rebuilds it exactly by scoring its last <see cref="SequenceAutoencoderTransformer.HistoryDepth"/>
/// steps first.</para>
/// <para>Memory is bounded by <see cref="OnlineSequenceScorerOptions.MaxSeries"/> (least recently seen series are forgotten)
/// and <see cref="OnlineSequenceScorerOptions.IdleSeriesTimeout"/>. Calls are serialized (thread-safe; one at a time). The
/// scorer uses the model's weights but does not own them: keep the model alive (undisposed) while it scores. Windows belong
/// to one model: for a new model, make a new scorer (the steps before a model change were prepared by the old model's stages).</para>
/// </remarks>
public sealed class OnlineSequenceScorer
{
    private readonly object _gate = new();
    private readonly ITransformer[] _prefix;
    private readonly SequenceAutoencoderTransformer _stage;
    private readonly SeriesSettings _settings;
    private readonly OnlineSequenceScorerOptions _options;
    private readonly SeriesWindows _windows;
    private readonly OnlineSeriesTable _series;
    private readonly ScoringModel _model;
    private readonly NetworkOutputs _wanted;
    private readonly int _windowSize, _channels, _latent, _windowValues, _vectorValues;
    private readonly float[] _values;
    private readonly float[] _batch;
    private readonly int[] _batchSteps;
    private readonly int[] _batchSeries;
    private readonly bool[] _batchRunStarts;
    private readonly ScoreBaseline? _baseline;
    private readonly Runtime.ScoredBatch _scored;
    private int _batchCount;

    /// <summary>A scorer for <paramref name="model"/> (a sequence autoencoder, or a pipeline ending with one) fed data of <paramref name="inputSchema"/>.</summary>
    /// <exception cref="ArgumentException">The model has no sequence autoencoder stage, a requested column is not one of its outputs, or <see cref="OnlineSequenceScorerOptions.MaxGap"/> is set for an order column that is not numeric or a time.</exception>
    public OnlineSequenceScorer(ITransformer model, DataViewSchema inputSchema, OnlineSequenceScorerOptions? options = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(inputSchema);
        _options = options ?? new OnlineSequenceScorerOptions();
        _options.Validate();
        (_prefix, _stage) = SequenceAutoencoderTransformer.Split(model) ?? throw new ArgumentException(
            "The model has no sequence autoencoder stage; an online sequence scorer scores models trained with ml.Autoencoders().SequenceAutoencoder. " +
            "Score a tabular model record by record with Transform or a PredictionEngine.", nameof(model));
        _settings = _stage.Settings with { ScoreAggregation = WindowScoreAggregation.LastWindow };
        var stageSchema = _prefix.Aggregate(inputSchema, (schema, t) => t.GetOutputSchema(schema));
        var input = SeriesInput.Bind(stageSchema, _settings, _stage.InputDimension);
        if (_options.MaxGap is not null && input.OrderColumn is { } order && order.Type is TextDataViewType)
            throw new ArgumentException($"MaxGap needs a numeric or time order column, but order column '{order.Name}' is Text. Leave MaxGap null, or train with a numeric or time order column.", nameof(options));
        var requested = _options.OutputColumnNames is { Count: > 0 } names ? names : _stage.OutputColumnNames;
        if (requested.FirstOrDefault(n => !_stage.OutputColumnNames.Contains(n)) is { } unknown)
            throw new ArgumentException($"Output column '{unknown}' is not emitted by the sequence stage; it emits {string.Join(", ", _stage.OutputColumnNames)}.", nameof(options));
        _wanted = _stage.Outputs.Needs(requested.Select(n => _stage.Outputs.Columns.ToList().FindIndex(c => c.Name == n)));
        Schema = inputSchema;
        _model = _stage.WindowModel.Model;
        _windowSize = _stage.WindowSize;
        _channels = _stage.InputDimension;
        _latent = _stage.LatentDimension;
        _windowValues = _windowSize * _channels;
        _vectorValues = _latent + 2 * _channels;
        _windows = new SeriesWindows(_windowSize, _channels, _settings.MissingValues, _settings.ChannelSource);
        _series = new OnlineSeriesTable(_options.MaxSeries, _options.IdleSeriesTimeout, timeProvider ?? TimeProvider.System, _windows.Reset);
        _values = new float[_channels];
        int capacity = _model.BatchSize;
        _batch = new float[capacity * _windowValues];
        _batchSteps = new int[capacity];
        _batchSeries = new int[capacity];
        _batchRunStarts = new bool[capacity];
        _baseline = _stage.NewBaseline();
        _scored = new Runtime.ScoredBatch(capacity, _windowValues, _latent);
    }

    /// <summary>The sequence stage that scores.</summary>
    public SequenceAutoencoderTransformer Detector => _stage;

    /// <summary>The schema the steps given to <see cref="Score"/> have (the model's input schema).</summary>
    public DataViewSchema Schema { get; }

    /// <summary>Series kept now.</summary>
    public int SeriesCount
    {
        get { lock (_gate) return _series.Count; }
    }

    /// <summary>True when the scorer keeps a window of <paramref name="series"/> (the series column's value as text; "" without a series column).</summary>
    public bool Holds(string series)
    {
        ArgumentNullException.ThrowIfNull(series);
        lock (_gate) return _series.Contains(series);
    }

    /// <summary>Forgets <paramref name="series"/>: its next step starts a new window. False when it was not kept.</summary>
    public bool Forget(string series)
    {
        ArgumentNullException.ThrowIfNull(series);
        lock (_gate) return _series.Forget(series);
    }

    /// <summary>
    /// Scores <paramref name="steps"/> (rows of <see cref="Schema"/>, in arrival order) against their series' windows and moves
    /// the windows on. Every step gets a result; a bad step is rejected with the reason, not thrown.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The data lacks a column the model reads, or a column has another type or size; the message names it.</exception>
    public SequenceStepResults Score(IDataView steps)
    {
        ArgumentNullException.ThrowIfNull(steps);
        CheckTypes(steps.Schema);
        var data = _prefix.Aggregate(steps, (view, t) => t.Transform(view));
        var input = SeriesInput.Bind(data.Schema, _settings, _channels);
        int count = checked((int)(steps.GetRowCount() ?? CountRows(steps)));
        lock (_gate)
        {
            _series.ForgetIdle();
            var results = new SequenceStepResults(count, _latent, _channels, _wanted.HasFlag(NetworkOutputs.Latent),
                _wanted.HasFlag(NetworkOutputs.Reconstruction), _wanted.HasFlag(NetworkOutputs.Contributions));
            var touched = new List<OnlineSeries>();
            using (var cursor = data.GetRowCursor(input.Columns))
            {
                var reader = new SeriesRowReader(input, cursor, new SeriesKeys());
                var local = new List<OnlineSeries?>();
                for (int step = 0; cursor.MoveNext(); step++)
                {
                    if (step >= count) throw new InvalidOperationException("The steps returned more rows than their row count says.");
                    int index = reader.ReadSeries();
                    while (local.Count <= index) local.Add(null);
                    if (local[index] is not { Forgotten: false } series)
                    {
                        series = _series.Get(reader.Keys.Value(index));
                        local[index] = series;
                        touched.Add(series);
                    }
                    else _series.Get(series.Key); // most recently seen
                    reader.ReadChannels(_values);
                    Step(results, step, series, reader, cursor.Position);
                }
            }
            ScoreBatch(results);
            foreach (var series in touched) Keep(results, series);
            return results;
        }
    }

    private void Step(SequenceStepResults results, int step, OnlineSeries series, SeriesRowReader reader, long row)
    {
        results.Begin(step, series.Key, series.Steps);
        string name = series.Key.Length == 0 ? SeriesKeys.OneSeries : $"'{series.Key}'";
        OrderKey? order = null;
        if (reader.Order is { } orderReader)
        {
            try
            {
                order = orderReader.Read(row);
            }
            catch (InvalidOperationException e)
            {
                results.Reject(step, e.Message);
                return;
            }
            if (series.LastOrder is { } last)
            {
                int comparison = order.Value.CompareTo(last);
                if (comparison < 0)
                {
                    results.Reject(step, $"Order column '{orderReader.Column.Name}' is {order} in series {name}, before its last step ({last}): a step that arrives after the window moved on is not scored. Send the steps of a series in order.");
                    return;
                }
                if (comparison == 0)
                {
                    if (_windows.Last(series.Slot).SequenceEqual(_values)) Repeat(results, step, series);
                    else results.Reject(step, $"Order column '{orderReader.Column.Name}' is {order} in series {name} again, with other values than the step already scored at that time: two steps of one series at one time are refused.");
                    return;
                }
                if (_options.MaxGap is { } maxGap && Distance(last, order.Value) > maxGap) _windows.Restart(series.Slot);
            }
        }
        SeriesWindows.Outcome outcome;
        try
        {
            outcome = _windows.Push(series.Slot, _values, series.Steps, name);
        }
        catch (InvalidOperationException e)
        {
            results.Reject(step, e.Message);
            return;
        }
        series.LastOrder = order;
        series.Steps++;
        series.LastStep = step;
        if (outcome != SeriesWindows.Outcome.Window)
        {
            results.StatusOf(step) = SequenceStepStatus.WarmingUp;
            return;
        }
        results.StatusOf(step) = SequenceStepStatus.Scored;
        int slot = _batchCount++;
        _windows.CopyWindow(series.Slot, _batch.AsSpan(slot * _windowValues, _windowValues));
        _batchSteps[slot] = step;
        _batchSeries[slot] = series.Slot;
        _batchRunStarts[slot] = _windows.StartsRun(series.Slot);
        if (_batchCount == _batchSteps.Length) ScoreBatch(results);
    }

    /// <summary>A repeat of the series' last step: its results again (scoring the batch first when they are still in it).</summary>
    private void Repeat(SequenceStepResults results, int step, OnlineSeries series)
    {
        results.StatusOf(step) = SequenceStepStatus.Repeated;
        if (series.LastStep >= 0)
        {
            ScoreBatch(results);
            int source = series.LastStep;
            results.ScoreOf(step) = results.Score(source);
            results.LabelOf(step) = results.PredictedLabel(source);
            results.ProbabilityOf(step) = results.Probability(source);
            results.LatentFeatures(source).CopyTo(results.LatentOf(step));
            results.Reconstruction(source).CopyTo(results.ReconstructionOf(step));
            results.FeatureContributions(source).CopyTo(results.ContributionsOf(step));
            return;
        }
        var kept = series.LastResults;
        results.ScoreOf(step) = kept.Score;
        results.LabelOf(step) = kept.Label;
        results.ProbabilityOf(step) = kept.Probability;
        if (kept.Vectors is { } vectors)
        {
            vectors.AsSpan(0, _latent).CopyTo(results.LatentOf(step));
            vectors.AsSpan(_latent, _channels).CopyTo(results.ReconstructionOf(step));
            vectors.AsSpan(_latent + _channels, _channels).CopyTo(results.ContributionsOf(step));
        }
    }

    /// <summary>Keeps the results of the series' last step of this call for a later repeat of it.</summary>
    private void Keep(SequenceStepResults results, OnlineSeries series)
    {
        if (series.LastStep < 0) return;
        int step = series.LastStep;
        float[]? vectors = null;
        if (_wanted != NetworkOutputs.ScoreOnly)
        {
            vectors = series.LastResults.Vectors ?? new float[_vectorValues];
            results.LatentOf(step).CopyTo(vectors);
            results.ReconstructionOf(step).CopyTo(vectors.AsSpan(_latent));
            results.ContributionsOf(step).CopyTo(vectors.AsSpan(_latent + _channels));
        }
        series.LastResults = new StepResult(results.Score(step), results.PredictedLabel(step), results.Probability(step), vectors, Present: true);
        series.LastStep = -1;
    }

    /// <summary>Scores the windows collected and writes each one's results to the step it ends at.</summary>
    private void ScoreBatch(SequenceStepResults results)
    {
        if (_batchCount == 0) return;
        _model.Score(_batch, _batchCount, _scored, _wanted);
        var calibration = _stage.Calibration;
        for (int i = 0; i < _batchCount; i++)
        {
            int step = _batchSteps[i];
            float score = _baseline?.Relative(_batchSeries[i], _scored.Scores[i], _batchRunStarts[i]) ?? _scored.Scores[i];
            results.ScoreOf(step) = score;
            results.LabelOf(step) = score > _stage.Threshold;
            results.ProbabilityOf(step) = calibration is null ? float.NaN : calibration.Probability(score);
            if (_wanted.HasFlag(NetworkOutputs.Latent)) _scored.Latent.AsSpan(i * _latent, _latent).CopyTo(results.LatentOf(step));
            if (_wanted.HasFlag(NetworkOutputs.Reconstruction))
                _scored.Reconstruction.AsSpan(i * _windowValues + (_windowSize - 1) * _channels, _channels).CopyTo(results.ReconstructionOf(step));
            if (_wanted.HasFlag(NetworkOutputs.Contributions))
                SeriesWindows.ChannelShares(_scored.Contributions.AsSpan(i * _windowValues, _windowValues), _windowSize, _channels, results.ContributionsOf(step));
        }
        _batchCount = 0;
    }

    /// <summary>How far <paramref name="to"/> is after <paramref name="from"/>: in the column's units, seconds for times.</summary>
    private static double Distance(OrderKey from, OrderKey to) =>
        to.IsTime ? (to.Integer - from.Integer) / (double)TimeSpan.TicksPerSecond
        : to.Real != 0 || from.Real != 0 ? to.Real - from.Real
        : to.Integer - (double)from.Integer;

    /// <summary>Columns the model's input has must have its types (the stages before the sequence stage would fail deep inside otherwise).</summary>
    private void CheckTypes(DataViewSchema schema)
    {
        foreach (var expected in Schema.Where(c => !c.IsHidden))
            if (schema.GetColumnOrNull(expected.Name) is { } column && !column.Type.Equals(expected.Type))
                throw new ArgumentOutOfRangeException(nameof(schema), $"Column '{expected.Name}' is {column.Type}; the model reads {expected.Type}. " +
                    "Give the scorer steps prepared exactly like the training data (same columns, types and sizes).");
    }

    private static long CountRows(IDataView data)
    {
        long rows = 0;
        using var cursor = data.GetRowCursor([]);
        while (cursor.MoveNext()) rows++;
        return rows;
    }
}
