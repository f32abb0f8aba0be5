using AnomalyAE.Networks;
using AnomalyAE.Runtime;
using AnomalyAE.Series;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace AnomalyAE.Transforms;

/// <summary>
/// Cursor over a sequence stage's scored view. Input columns pass through from the input cursor; the stage's columns come
/// from a second cursor over the same rows that runs ahead: each row it reads is pushed into its series' window
/// (<see cref="SeriesWindows"/>), every complete window joins a batch, and full batches are scored together by the window
/// model. A row's outputs are ready once every window that covers it under the stage's aggregation has been scored
/// (<see cref="PendingSteps"/>): its own window for <c>LastWindow</c>; for <c>MeanOfCoveringWindows</c> also the
/// <c>WindowSize</c> − 1 windows after it in its series (or the series' end, or a gap).
/// </summary>
internal sealed class SequenceScoringCursor : DataViewRowCursor
{
    private readonly DataViewSchema _schema;
    private readonly DataViewRowCursor _input;
    private readonly DataViewRowCursor _lookahead;
    private readonly SeriesRowReader _reader;
    private readonly SeriesWindows _windows;
    private readonly SequenceAutoencoderTransformer _stage;
    private readonly ScoringModel _model;
    private readonly HashSet<int> _active;
    private readonly NetworkOutputs _wanted;
    private readonly bool _mean;
    private readonly int _windowSize, _channels, _latent, _windowValues;
    private readonly PendingSteps _pending;
    private readonly float[] _step;
    // The batch of windows read and not yet scored: values, the row each ends at, and the rows each covers.
    private readonly float[] _batch;
    private readonly long[] _ends;
    private readonly int[] _seriesOf;
    private readonly bool[] _runStarts;
    private readonly ScoreBaseline? _baseline;
    private readonly long[] _covered;
    private readonly int[] _coveredCount;
    private readonly ScoredBatch _scored;
    private int _batchCount;
    private readonly List<Queue<(long Position, long CompleteAtRun)>> _incomplete = [];
    private bool _ended;
    private const string OrderFix = "Sort the rows by it within each series before scoring: scoring keeps the input's rows in their order.";

    public SequenceScoringCursor(DataViewSchema schema, DataViewRowCursor input, DataViewRowCursor lookahead, SeriesInput series,
        SequenceAutoencoderTransformer stage, IReadOnlyList<int> outputs, HashSet<int> active)
    {
        _schema = schema;
        _input = input;
        _lookahead = lookahead;
        _stage = stage;
        _model = stage.WindowModel.Model;
        _active = active;
        _wanted = stage.Outputs.Needs(outputs);
        _mean = stage.ScoreAggregation == WindowScoreAggregation.MeanOfCoveringWindows;
        _windowSize = stage.WindowSize;
        _channels = stage.InputDimension;
        _latent = stage.LatentDimension;
        _windowValues = _windowSize * _channels;
        _reader = new SeriesRowReader(series, lookahead, new SeriesKeys());
        _windows = new SeriesWindows(_windowSize, _channels, stage.MissingValues, stage.Settings.ChannelSource);
        _pending = new PendingSteps(_latent, _channels, vectors: _wanted != NetworkOutputs.ScoreOnly);
        _step = new float[_channels];
        int capacity = _model.BatchSize;
        _batch = new float[capacity * _windowValues];
        _ends = new long[capacity];
        _seriesOf = new int[capacity];
        _runStarts = new bool[capacity];
        _baseline = stage.NewBaseline();
        _coveredCount = new int[capacity];
        _covered = new long[capacity * (_mean ? _windowSize : 1)];
        _scored = new ScoredBatch(capacity, _windowValues, _latent);
    }

    public override DataViewSchema Schema => _schema;
    public override long Position => _input.Position;
    public override long Batch => _input.Batch;
    public override ValueGetter<DataViewRowId> GetIdGetter() => _input.GetIdGetter();
    public override bool IsColumnActive(DataViewSchema.Column column) => _active.Contains(column.Index);

    public override bool MoveNext()
    {
        if (!_input.MoveNext()) return false;
        _pending.DropBefore(_input.Position);
        return true;
    }

    public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
    {
        int inputCount = _input.Schema.Count;
        if (column.Index < inputCount) return _input.GetGetter<TValue>(_input.Schema[column.Index]);
        if (!_active.Contains(column.Index)) throw new InvalidOperationException($"Column '{column.Name}' was not requested when this cursor was created.");
        var kind = _stage.Outputs.Columns[column.Index - inputCount].Kind;
        Delegate getter = kind switch
        {
            OutputKind.Score => (ValueGetter<float>)((ref float value) => value = Score()),
            OutputKind.PredictedLabel => (ValueGetter<bool>)((ref bool value) => value = Score() > _stage.Threshold),
            OutputKind.Probability => (ValueGetter<float>)((ref float value) =>
            {
                float score = Score();
                value = float.IsNaN(score) ? float.NaN : _stage.Calibration!.Probability(score);
            }),
            OutputKind.LatentFeatures => Vector(p => _pending.Latent(p), _latent),
            OutputKind.Reconstruction => Vector(p => _pending.Reconstruction(p), _channels),
            OutputKind.FeatureContributions => Vector(p => _pending.Contributions(p), _channels),
            _ => throw new InvalidOperationException($"Column '{column.Name}' ({kind}) is not an output of a sequence autoencoder."),
        };
        return getter as ValueGetter<TValue> ?? throw new InvalidOperationException($"Column '{column.Name}' is {column.Type}, not {typeof(TValue).Name}.");
    }

    private float Score()
    {
        long position = Ready();
        return _mean ? _pending.Mean(position) : _pending.Own(position);
    }

    private ValueGetter<VBuffer<float>> Vector(SpanSource source, int size) => (ref VBuffer<float> value) =>
    {
        long position = Ready();
        var editor = VBufferEditor.Create(ref value, size);
        source(position).CopyTo(editor.Values);
        value = editor.Commit();
    };

    private delegate Span<float> SpanSource(long position);

    /// <summary>Reads and scores ahead until the current row's outputs are final; returns its position.</summary>
    private long Ready()
    {
        long position = _input.Position;
        while (!IsReady(position))
        {
            if (!_ended && _pending.End <= position + _batch.Length / _windowValues) ReadOne();   // a batch of rows past this one
            else if (_batchCount > 0) ScoreBatch();
            else if (!_ended) ReadOne();                                                         // the windows after it (mean)
            else throw new InvalidOperationException($"Row {position} was never scored: the input returned fewer rows on its second pass; AnomalyAE needs inputs whose cursors are repeatable.");
        }
        return position;
    }

    private bool IsReady(long position) => _pending.Holds(position) && _pending.Complete(position) && _pending.Waiting(position) == 0;

    /// <summary>Reads the lookahead's next row into its series' window, and the window ending there (if any) into the batch.</summary>
    private void ReadOne()
    {
        if (!_lookahead.MoveNext())
        {
            _ended = true;
            _pending.CompleteAll();
            return;
        }
        long row = _lookahead.Position;
        int series = _reader.ReadSeries();
        string name = _reader.Keys.Name(series);
        _reader.Order?.Advance(series, name, row, OrderFix);
        _reader.ReadChannels(_step);
        var outcome = _windows.Push(series, _step, row, name);
        _pending.Add(row);
        Track(series, row, outcome);
        if (outcome != SeriesWindows.Outcome.Window) return;

        int slot = _batchCount++;
        _windows.CopyWindow(series, _batch.AsSpan(slot * _windowValues, _windowValues));
        _ends[slot] = row;
        _seriesOf[slot] = series;
        _runStarts[slot] = _windows.StartsRun(series);
        var covered = _covered.AsSpan(slot * (_mean ? _windowSize : 1), _mean ? _windowSize : 1);
        int count = _mean ? _windows.RecentRows(series, covered) : 1;
        if (!_mean) covered[0] = row;
        _coveredCount[slot] = count;
        foreach (long p in covered[..count]) if (_pending.Holds(p)) _pending.Waiting(p)++;
        if (_batchCount == _ends.Length) ScoreBatch();
    }

    /// <summary>Marks the rows whose covering windows have all been read: at once for <c>LastWindow</c>; for the mean, once their series has moved a window on, or had a gap.</summary>
    private void Track(int series, long row, SeriesWindows.Outcome outcome)
    {
        if (!_mean)
        {
            _pending.Complete(row) = true;
            return;
        }
        while (_incomplete.Count <= series) _incomplete.Add(new Queue<(long, long)>());
        var queue = _incomplete[series];
        if (outcome == SeriesWindows.Outcome.Gap)
        {
            while (queue.TryDequeue(out var waiting)) if (_pending.Holds(waiting.Position)) _pending.Complete(waiting.Position) = true;
            _pending.Complete(row) = true;
            return;
        }
        long run = _windows.Run(series);
        queue.Enqueue((row, run + _windowSize - 1));
        while (queue.TryPeek(out var first) && first.CompleteAtRun <= run)
        {
            queue.Dequeue();
            if (_pending.Holds(first.Position)) _pending.Complete(first.Position) = true;
        }
    }

    /// <summary>Scores the batch of windows and hands each window's results to the rows it ends at and covers.</summary>
    private void ScoreBatch()
    {
        _model.Score(_batch, _batchCount, _scored, _wanted);
        for (int i = 0; i < _batchCount; i++)
        {
            float score = _baseline?.Relative(_seriesOf[i], _scored.Scores[i], _runStarts[i]) ?? _scored.Scores[i];
            long end = _ends[i];
            if (_pending.Holds(end))
            {
                _pending.Own(end) = score;
                if (_wanted.HasFlag(NetworkOutputs.Latent)) _scored.Latent.AsSpan(i * _latent, _latent).CopyTo(_pending.Latent(end));
                if (_wanted.HasFlag(NetworkOutputs.Reconstruction))
                    _scored.Reconstruction.AsSpan(i * _windowValues + (_windowSize - 1) * _channels, _channels).CopyTo(_pending.Reconstruction(end));
                if (_wanted.HasFlag(NetworkOutputs.Contributions))
                    SeriesWindows.ChannelShares(_scored.Contributions.AsSpan(i * _windowValues, _windowValues), _windowSize, _channels, _pending.Contributions(end));
            }
            int stride = _mean ? _windowSize : 1;
            foreach (long p in _covered.AsSpan(i * stride, _coveredCount[i])) if (_pending.Holds(p)) _pending.AddCovering(p, score);
        }
        _batchCount = 0;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _input.Dispose();
            _lookahead.Dispose();
        }
        base.Dispose(disposing);
    }
}
