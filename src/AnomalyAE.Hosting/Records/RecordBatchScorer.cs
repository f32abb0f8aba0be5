using System.Globalization;
using AnomalyAE.DataViews;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace AnomalyAE.Hosting.Records;

/// <summary>
/// Scores records with a loaded pipeline. Maps each record's fields onto the model's input schema (Single fields by
/// name, Vector&lt;Single&gt; fields as comma-separated or JSON-array numbers, Text fields as they are), sets aside
/// malformed records with the reason, and scores the rest in one batch.
/// </summary>
internal sealed class RecordBatchScorer
{
    private readonly ITransformer _model;
    private readonly DataViewSchema _inputSchema;
    private readonly HashSet<string> _required;
    private readonly string _scoreColumn;
    private readonly string _predictedLabelColumn;

    /// <summary>A scorer for <paramref name="model"/>, a loaded pipeline whose input is <paramref name="inputSchema"/>.</summary>
    /// <param name="model">A fitted pipeline with an autoencoder stage that emits a score and a predicted label (under any names).</param>
    /// <param name="inputSchema">The schema the model expects (from <c>mlContext.Autoencoders().Load</c>).</param>
    /// <param name="idField">The record field holding the id, never required as a model input.</param>
    public RecordBatchScorer(ITransformer model, DataViewSchema inputSchema, string idField)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(inputSchema);
        _model = model;
        _inputSchema = inputSchema;
        var detector = model.FindAnomalyDetector();
        if (detector?.ScoreColumnName is not { } scoreName || detector.PredictedLabelColumnName is not { } labelName)
            throw new InvalidOperationException("The model has no autoencoder stage that emits both a score and a predicted label; the worker needs an anomaly-scoring model.");
        var output = model.GetOutputSchema(inputSchema);
        if (output.GetColumnOrNull(scoreName) is not { } score || score.Type != NumberDataViewType.Single || output.GetColumnOrNull(labelName) is null)
            throw new InvalidOperationException($"The model's output has no Single '{scoreName}' and '{labelName}' columns (a later stage replaced or dropped them); the worker needs an anomaly-scoring model.");
        _scoreColumn = scoreName;
        _predictedLabelColumn = labelName;
        var mapper = model.GetRowToRowMapper(inputSchema);
        _required = mapper.GetDependencies([mapper.OutputSchema[scoreName], mapper.OutputSchema[labelName]]).Select(c => c.Name).ToHashSet();
        foreach (var column in inputSchema)
        {
            bool supported = column.Type == NumberDataViewType.Single || column.Type is TextDataViewType
                || column.Type is VectorDataViewType { ItemType: var item, IsKnownSize: true } && item == NumberDataViewType.Single;
            if (!supported && _required.Contains(column.Name))
                throw new InvalidOperationException($"Input column '{column.Name}' is {column.Type}; the worker supports Single, Vector<Single, n> and Text inputs.");
        }
        _required.Remove(idField);
    }

    /// <summary>Fields every record must carry.</summary>
    public IReadOnlyCollection<string> RequiredFields => _required;

    /// <summary>Scores what can be scored; every record gets an outcome, in the input order.</summary>
    public List<RecordOutcome> Score(IReadOnlyList<ScoringRecord> records)
    {
        var outcomes = new RecordOutcome?[records.Count];
        var valid = new List<int>();
        var columns = _inputSchema.Select(c => new List<object>()).ToArray();
        for (int r = 0; r < records.Count; r++)
        {
            var values = new object[_inputSchema.Count];
            string? error = records[r].Problem;
            if (error is null) foreach (var column in _inputSchema)
            {
                if (!TryRead(records[r], column, out values[column.Index], out error)) break;
            }
            if (error is not null)
            {
                outcomes[r] = new RecordOutcome(records[r], float.NaN, false, error);
                continue;
            }
            valid.Add(r);
            for (int c = 0; c < values.Length; c++) columns[c].Add(values[c]);
        }

        if (valid.Count > 0)
        {
            var builder = new ColumnarDataView.Builder();
            foreach (var column in _inputSchema)
            {
                var cells = columns[column.Index];
                switch (column.Type)
                {
                    case VectorDataViewType vector: builder.AddVector(column.Name, vector.Size, cells.Cast<float[]>().ToArray()); break;
                    case TextDataViewType: builder.AddText(column.Name, cells.Cast<string>().ToArray()); break;
                    default: builder.AddSingle(column.Name, cells.Cast<float>().ToArray()); break;
                }
            }
            var scored = _model.Transform(builder.Build());
            var scores = scored.GetColumn<float>(_scoreColumn).ToArray();
            var labels = scored.GetColumn<bool>(_predictedLabelColumn).ToArray();
            for (int i = 0; i < valid.Count; i++) outcomes[valid[i]] = new RecordOutcome(records[valid[i]], scores[i], labels[i], null);
        }
        return [.. outcomes.Select(o => o!)];
    }

    private bool TryRead(ScoringRecord record, DataViewSchema.Column column, out object value, out string? error)
    {
        error = null;
        bool present = record.Fields.TryGetValue(column.Name, out var text);
        if (!present && _required.Contains(column.Name))
        {
            value = 0f;
            error = $"field '{column.Name}' is missing";
            return false;
        }
        switch (column.Type)
        {
            case TextDataViewType:
                value = text ?? "";
                return true;
            case VectorDataViewType vector:
                var parts = (text ?? "").Trim().TrimStart('[').TrimEnd(']').Split([',', ' ', ';'], StringSplitOptions.RemoveEmptyEntries);
                var numbers = new float[vector.Size];
                if (present && parts.Length != vector.Size)
                {
                    value = numbers;
                    error = $"field '{column.Name}' has {parts.Length} values; expected {vector.Size}";
                    return false;
                }
                for (int i = 0; i < parts.Length; i++)
                    if (!TryNumber(parts[i], out numbers[i]))
                    {
                        value = numbers;
                        error = $"field '{column.Name}' value {i} '{parts[i]}' is not a finite number";
                        return false;
                    }
                value = numbers;
                return true;
            default:
                if (!present) { value = 0f; return true; }
                if (!TryNumber(text!, out float number))
                {
                    value = 0f;
                    error = $"field '{column.Name}' = '{text}' is not a finite number";
                    return false;
                }
                value = number;
                return true;
        }
    }

    private static bool TryNumber(string text, out float value) =>
        float.TryParse(text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out value) && float.IsFinite(value);
}
