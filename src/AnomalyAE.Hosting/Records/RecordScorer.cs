using System.Globalization;
using Microsoft.ML;
using AnomalyAE.DataViews;
using Microsoft.ML.Data;

namespace AnomalyAE.Hosting.Records;

/// <summary>
/// What every record scorer shares: each record's fields parsed straight into the model's input buffers (Single fields by
/// name, Vector&lt;Single&gt; fields as comma-separated or JSON-array numbers, Text fields as they are); a malformed record
/// is set aside with the reason. <see cref="RecordBatchScorer"/> scores each record alone, <see cref="SeriesRecordScorer"/>
/// against the window of its series.
/// </summary>
internal abstract class RecordScorer
{
    private readonly string[] _names;
    private readonly bool[] _required;

    protected RecordScorer(ITransformer model, ScoringContract contract, string idField)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(contract);
        Model = model;
        Contract = contract;
        var required = contract.Inputs.Select(c => c.Name).Where(n => n != idField).ToHashSet();
        _names = [.. contract.RecordSchema.Select(c => c.Name)];
        _required = [.. _names.Select(required.Contains)];
        RequiredFields = [.. _names.Where(required.Contains)];
        if (contract.Contributions is { } contributions)
            FeatureNames = [.. Enumerable.Range(0, contributions.Size).Select(i => contributions.SlotNames?[i] is { Length: > 0 } name ? name : $"slot{i.ToString(CultureInfo.InvariantCulture)}")];
    }

    protected ITransformer Model { get; }
    protected ScoringContract Contract { get; }
    /// <summary>The names of the contribution slots (features, or a sequence model's channels); null without contributions.</summary>
    protected string[]? FeatureNames { get; }

    /// <summary>Fields every record must carry.</summary>
    public IReadOnlyCollection<string> RequiredFields { get; }

    /// <summary>Scores what can be scored; every record gets an outcome.</summary>
    public abstract ScoredBatch Score(RecordBatch batch);

    /// <summary>
    /// The batch's usable records in the model's input buffers; <paramref name="rowOf"/>[r] is record r's row there (−1 when
    /// it is unusable) and <paramref name="errors"/>[r] why.
    /// </summary>
    protected ColumnarDataView Parse(RecordBatch batch, int[] rowOf, string?[] errors)
    {
        int count = batch.Count;
        var buffers = Contract.CreateRecordBuffers(count);
        Span<int> positions = _names.Length <= 256 ? stackalloc int[_names.Length] : new int[_names.Length];
        for (int r = 0; r < count; r++)
        {
            string? error = batch.Problem(r) ?? Fill(batch, r, positions, buffers, buffers.Rows);
            errors[r] = error;
            rowOf[r] = error is null ? buffers.Rows++ : -1;
        }
        return buffers;
    }

    /// <summary>Parses record <paramref name="record"/> into row <paramref name="row"/> of the buffers; the reason when it cannot.</summary>
    private string? Fill(RecordBatch batch, int record, Span<int> positions, ColumnarDataView buffers, int row)
    {
        batch.Locate(record, _names, positions);
        for (int c = 0; c < _names.Length; c++)
        {
            int position = positions[c];
            if (position < 0 && _required[c]) return $"field '{_names[c]}' is missing";
            switch (Contract.RecordSchema[c].Type)
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

