using Microsoft.ML;
using Microsoft.ML.Data;

namespace AnomalyAE.AspNetCore;

/// <summary>
/// The stateless route of a sequence model: each request row is one whole window, a field <c>Window</c> of
/// <c>WindowSize</c> steps × a step's values, oldest step first, scored by the model's
/// <see cref="SequenceAutoencoderTransformer.WindowModel"/>: the window's reconstruction error, with the window model's
/// threshold and probability. That is the online score of the window's last step when the model has no score baseline; under
/// one (<see cref="SequenceAutoencoderTransformer.ScoreBaselineSteps"/>), the online score is relative to the series' recent
/// scores, which a window alone does not carry.
/// A step's values are the request fields the sequence stage's channels come from: the channel fields themselves, or, when
/// stages before the sequence stage prepare the channels (a normalizer), the numeric fields those stages read, which this
/// route runs them on. No series state is read or moved.
/// </summary>
internal sealed class WindowRoute : IScoringRoute, IDisposable
{
    private readonly SequenceAutoencoderTransformer _stage;
    private readonly ScoringContract _records;
    private readonly ITransformer? _prefix;
    private readonly ServedColumn[] _stepFields;
    private readonly int _stepWidth;
    private readonly RowModel _windows;

    private WindowRoute(ScoringModelFile file, SequenceAutoencoderTransformer stage, ITransformer? prefix, ServedColumn[] stepFields, RowModel windows)
    {
        _stage = stage;
        _records = file.Contract;
        _prefix = prefix;
        _stepFields = stepFields;
        _stepWidth = stepFields.Sum(f => f.Size);
        _windows = windows;
        var request = new DataViewSchema.Builder();
        request.AddColumn(stage.WindowModel.FeatureColumnName, new VectorDataViewType(NumberDataViewType.Single, stage.WindowSize * _stepWidth));
        Inputs = [ServedColumn.Of(request.ToSchema()[0])!];
    }

    /// <summary>The one field of a request row: <c>Window</c>, <c>WindowSize</c> × <see cref="StepFields"/>' values.</summary>
    public IReadOnlyList<ServedColumn> Inputs { get; }

    /// <summary>The request fields whose values make one step of a window, in the order a step holds them.</summary>
    public IReadOnlyList<ServedColumn> StepFields => _stepFields;

    /// <summary>
    /// The route of <paramref name="stage"/> in <paramref name="file"/>'s model serving <paramref name="responseColumns"/>, or
    /// null with <paramref name="reason"/> when a window cannot be made of request fields.
    /// </summary>
    public static WindowRoute? TryCreate(ScoringModelFile file, SequenceAutoencoderTransformer stage, IReadOnlyCollection<string> responseColumns, out string? reason)
    {
        var stages = new List<ITransformer>();
        void Visit(ITransformer transformer)
        {
            if (transformer is IEnumerable<ITransformer> chain) foreach (var inner in chain) Visit(inner);
            else stages.Add(transformer);
        }
        Visit(file.Model);
        var before = stages.Take(stages.IndexOf(stage)).ToArray();
        var channels = stage.ChannelColumnNames ?? [stage.FeatureColumnName];
        ITransformer? prefix = null;
        DataViewSchema.Column[] fields;
        if (before.Length == 0) fields = [.. channels.Select(name => file.InputSchema[name])];
        else
        {
            prefix = new TransformerChain<ITransformer>(before);
            if (!prefix.IsRowToRowMapper)
            {
                reason = $"the stages before the sequence stage ({Names(before)}) do not prepare each step on its own, so a window cannot be prepared apart from its series.";
                return null;
            }
            var mapper = prefix.GetRowToRowMapper(file.Contract.RecordSchema);
            fields = [.. mapper.GetDependencies(channels.Select(name => mapper.OutputSchema[name]))];
        }
        var stepFields = fields.Select(c => ServedColumn.Of(c)).ToArray();
        if (Array.FindIndex(stepFields, f => f?.Kind is not (ServedValueKind.Number or ServedValueKind.Numbers)) is int bad and >= 0)
        {
            reason = $"the sequence stage's channels ({string.Join(", ", channels)}) are made from the field '{fields[bad].Name}' ({fields[bad].Type}), " +
                "which is not a number or an array of numbers, so a window of numbers cannot hold it.";
            return null;
        }
        if (stepFields.Length == 0)
        {
            reason = $"the sequence stage's channels ({string.Join(", ", channels)}) do not depend on any request field.";
            return null;
        }
        // A step holds the channel fields in the stage's channel order, other fields after them in the model's input order.
        var channelOrder = channels.ToList();
        var ordered = stepFields.Select(f => f!).OrderBy(f => channelOrder.IndexOf(f.Name) is int at and >= 0 ? at : channelOrder.Count).ThenBy(f => f.Column.Index).ToArray();
        var windowModel = stage.WindowModel;
        var windowSchema = new DataViewSchema.Builder();
        windowSchema.AddColumn(windowModel.FeatureColumnName, new VectorDataViewType(NumberDataViewType.Single, stage.WindowSize * stage.InputDimension));
        var schema = windowSchema.ToSchema();
        reason = null;
        return new WindowRoute(file, stage, prefix, ordered, new RowModel(windowModel, schema, ScoringContract.For(windowModel, schema, responseColumns)));
    }

    public ScoresResult Answer(RowBatch inputs, bool asArray)
    {
        var windows = _prefix is null ? inputs.Values : [Prepare(inputs)];
        return _windows.Answer(new RowBatch(_windows.Inputs, inputs.Rows, windows), asArray);
    }

    public void Dispose() => _windows.Dispose();

    /// <summary>The windows' steps as request rows of the step fields, through the stages before the sequence stage, read back as the stage's channels.</summary>
    private float[][] Prepare(RowBatch requests)
    {
        int windowSize = _stage.WindowSize, channels = _stage.InputDimension, steps = requests.Rows * windowSize;
        var windows = (float[][])requests.Values[0];
        var fields = new RowBatch(_stepFields, steps);
        for (int field = 0, offset = 0; field < _stepFields.Length; offset += _stepFields[field].Size, field++)
        {
            for (int step = 0; step < steps; step++)
            {
                var values = windows[step / windowSize].AsSpan((step % windowSize) * _stepWidth + offset, _stepFields[field].Size);
                if (fields.Values[field] is float[] numbers) numbers[step] = values[0];
                else ((float[][])fields.Values[field])[step] = values.ToArray();
            }
        }
        var prepared = _prefix!.Transform(fields.ToDataView(_records));
        var columns = (_stage.ChannelColumnNames ?? [_stage.FeatureColumnName]).Select(name => prepared.Schema[name]).ToArray();
        var result = new float[requests.Rows][];
        for (int row = 0; row < result.Length; row++) result[row] = new float[windowSize * channels];
        using var cursor = prepared.GetRowCursor(columns);
        var readers = columns.Select(c => c.Type is VectorDataViewType ? ChannelReader.Of(cursor.GetGetter<VBuffer<float>>(c)) : ChannelReader.Of(cursor.GetGetter<float>(c))).ToArray();
        for (int step = 0; step < steps && cursor.MoveNext(); step++)
        {
            var destination = result[step / windowSize].AsSpan((step % windowSize) * channels, channels);
            int at = 0;
            foreach (var reader in readers) at += reader.Read(destination[at..]);
            if (!IsFinite(destination))
                throw RequestProblem.Field(step / windowSize, Inputs[0], $"values whose step {step % windowSize} the stages before the sequence stage turn into a missing value",
                    "Send values those stages accept (a finite value for every channel of every step).");
        }
        return result;
    }

    private static bool IsFinite(ReadOnlySpan<float> values)
    {
        foreach (float value in values) if (!float.IsFinite(value)) return false;
        return true;
    }

    private static string Names(IEnumerable<ITransformer> stages) => string.Join(", ", stages.Select(s => s.GetType().Name));

    /// <summary>Copies one channel column of the current row (a Single, or a vector of them) into a step's values.</summary>
    private sealed class ChannelReader
    {
        private ValueGetter<float>? _one;
        private ValueGetter<VBuffer<float>>? _many;
        private VBuffer<float> _buffer;

        public static ChannelReader Of(ValueGetter<float> getter) => new() { _one = getter };

        public static ChannelReader Of(ValueGetter<VBuffer<float>> getter) => new() { _many = getter };

        /// <summary>Writes the values at the start of <paramref name="destination"/>; returns how many.</summary>
        public int Read(Span<float> destination)
        {
            if (_one is not null)
            {
                float value = 0;
                _one(ref value);
                destination[0] = value;
                return 1;
            }
            _many!(ref _buffer);
            _buffer.CopyTo(destination);
            return _buffer.Length;
        }
    }
}
