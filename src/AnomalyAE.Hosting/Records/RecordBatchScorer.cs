using System.Globalization;
using Microsoft.ML;
using AnomalyAE.DataViews;
using Microsoft.ML.Data;

namespace AnomalyAE.Hosting.Records;

/// <summary>
/// Scores record batches with a loaded pipeline. Each record's fields are parsed straight into the model's input buffers
/// (Single fields by name, Vector&lt;Single&gt; fields as comma-separated or JSON-array numbers, Text fields as they are);
/// a malformed record is set aside with the reason and the rest are scored in one pass. Thread-safe: every call has its
/// own buffers.
/// </summary>
internal sealed class RecordBatchScorer
{
    private readonly ITransformer _model;
    private readonly ScoringContract _contract;
    private readonly string[] _names;
    private readonly bool[] _required;
    private readonly string[]? _featureNames;

    /// <summary>A scorer for <paramref name="model"/>, a loaded pipeline whose input is <paramref name="inputSchema"/>.</summary>
    /// <param name="model">A fitted pipeline with an autoencoder stage that emits a score and a predicted label (under any names).</param>
    /// <param name="inputSchema">The schema the model expects (from <c>mlContext.Autoencoders().Load</c>).</param>
    /// <param name="idField">The record field holding the id, never required as a model input.</param>
    public RecordBatchScorer(ITransformer model, DataViewSchema inputSchema, string idField)
        : this(model, ScoringContract.For(model, inputSchema), idField)
    {
    }

    /// <summary>A scorer for <paramref name="model"/> served by <paramref name="contract"/>.</summary>
    public RecordBatchScorer(ITransformer model, ScoringContract contract, string idField)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(contract);
        _model = model;
        _contract = contract;
        var required = contract.Inputs.Select(c => c.Name).Where(n => n != idField).ToHashSet();
        _names = [.. contract.RecordSchema.Select(c => c.Name)];
        _required = [.. _names.Select(required.Contains)];
        RequiredFields = [.. _names.Where(required.Contains)];
        if (contract.Contributions is { } contributions)
            _featureNames = [.. Enumerable.Range(0, contributions.Size).Select(i => contributions.SlotNames?[i] is { Length: > 0 } name ? name : $"slot{i.ToString(CultureInfo.InvariantCulture)}")];
    }

    /// <summary>Fields every record must carry.</summary>
    public IReadOnlyCollection<string> RequiredFields { get; }

    /// <summary>Scores what can be scored; every record gets an outcome.</summary>
    public ScoredBatch Score(RecordBatch batch)
    {
        int count = batch.Count;
        var buffers = _contract.CreateRecordBuffers(count);
        var rowOf = new int[count];
        var errors = new string?[count];
        Span<int> positions = _names.Length <= 256 ? stackalloc int[_names.Length] : new int[_names.Length];
        for (int r = 0; r < count; r++)
        {
            string? error = batch.Problem(r) ?? Fill(batch, r, positions, buffers, buffers.Rows);
            errors[r] = error;
            rowOf[r] = error is null ? buffers.Rows++ : -1;
        }

        var scores = new float[count];
        var anomalous = new bool[count];
        Dictionary<int, float[]>? shares = null;
        if (buffers.Rows > 0)
        {
            var scoredRows = new float[buffers.Rows];
            var labels = new bool[buffers.Rows];
            var contributions = new Dictionary<int, float[]>();
            Read(_model.Transform(buffers), scoredRows, labels, contributions);
            for (int r = 0; r < count; r++)
            {
                if (rowOf[r] < 0) { scores[r] = float.NaN; continue; }
                scores[r] = scoredRows[rowOf[r]];
                anomalous[r] = labels[rowOf[r]];
                if (contributions.TryGetValue(rowOf[r], out var row)) (shares ??= [])[r] = row;
            }
        }
        return new ScoredBatch(batch, _contract.ScoreColumnName, _contract.PredictedLabelColumnName, scores, anomalous, errors, _featureNames, shares);
    }

    /// <summary>Reads scores and labels of every row, and the contributions of the anomalous ones.</summary>
    private void Read(IDataView scored, float[] scores, bool[] labels, Dictionary<int, float[]> contributions)
    {
        var scoreColumn = scored.Schema[_contract.ScoreColumnName];
        var labelColumn = scored.Schema[_contract.PredictedLabelColumnName];
        var contributionColumn = _contract.Contributions is { } served ? scored.Schema[served.Name] : (DataViewSchema.Column?)null;
        using var cursor = scored.GetRowCursor(contributionColumn is { } c ? [scoreColumn, labelColumn, c] : [scoreColumn, labelColumn]);
        var getScore = cursor.GetGetter<float>(scoreColumn);
        var getLabel = cursor.GetGetter<bool>(labelColumn);
        var getContributions = contributionColumn is { } column ? cursor.GetGetter<VBuffer<float>>(column) : null;
        VBuffer<float> shares = default;
        for (int row = 0; cursor.MoveNext(); row++)
        {
            getScore(ref scores[row]);
            getLabel(ref labels[row]);
            if (!labels[row] || getContributions is null) continue;
            getContributions(ref shares);
            contributions[row] = shares.DenseValues().ToArray();
        }
    }

    /// <summary>Parses record <paramref name="record"/> into row <paramref name="row"/> of the buffers; the reason when it cannot.</summary>
    private string? Fill(RecordBatch batch, int record, Span<int> positions, ColumnarDataView buffers, int row)
    {
        batch.Locate(record, _names, positions);
        for (int c = 0; c < _names.Length; c++)
        {
            int position = positions[c];
            if (position < 0 && _required[c]) return $"field '{_names[c]}' is missing";
            switch (_contract.RecordSchema[c].Type)
            {
                case TextDataViewType:
                    buffers.Texts(c)[row] = position < 0 ? "" : batch.Text(record, position);
                    break;
                case VectorDataViewType vector:
                    var slice = buffers.Numbers(c).AsSpan(row * vector.Size, vector.Size);
                    if (position < 0) slice.Clear();
                    else if (ParseVector(batch.Text(record, position), slice) is { } problem) return $"field '{_names[c]}' {problem}";
                    break;
                default:
                    float value = 0;
                    if (position >= 0 && !batch.TryReadSingle(record, position, out value))
                        return $"field '{_names[c]}' = '{batch.Text(record, position)}' is not a finite number";
                    buffers.Numbers(c)[row] = value;
                    break;
            }
        }
        return null;
    }

    /// <summary>Numbers separated by ',', ' ' or ';', optionally in [ ]; null when they fill <paramref name="values"/> exactly.</summary>
    private static string? ParseVector(string text, Span<float> values)
    {
        var parts = text.Trim().TrimStart('[').TrimEnd(']').Split([',', ' ', ';'], StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length != values.Length) return $"has {parts.Length} values; expected {values.Length}";
        for (int i = 0; i < parts.Length; i++)
            if (!float.TryParse(parts[i], NumberStyles.Float, CultureInfo.InvariantCulture, out values[i]) || !float.IsFinite(values[i]))
                return $"value {i} '{parts[i]}' is not a finite number";
        return null;
    }
}
