using Microsoft.ML;
using Microsoft.ML.Data;

namespace AnomalyAE.AspNetCore;

/// <summary>How a JSON field carries a column: a number (Single), an array of numbers (Vector&lt;Single, n&gt;) or a string (Text).</summary>
internal enum ValueKind { Number, Numbers, Text, Boolean }

/// <summary>One column of a request row or a response row.</summary>
internal sealed record ServedColumn(string Name, ValueKind Kind, int Size, DataViewSchema.Column Column)
{
    /// <summary>What a client must send or can expect, e.g. "an array of 8 numbers (Vector&lt;Single, 8&gt;)".</summary>
    public string Describe() => Kind switch
    {
        ValueKind.Number => "a number (Single)",
        ValueKind.Numbers => $"an array of {Size} numbers (Vector<Single, {Size}>)",
        ValueKind.Text => "a string (Text)",
        _ => "true or false (Boolean)",
    };
}

/// <summary>
/// The fields a request row must carry and the columns a response row holds, read from a loaded model: inputs are the
/// input schema's columns the score depends on; outputs are the columns the model's anomaly detector adds, under the
/// names it was given (<see cref="AutoencoderStages.FindAnomalyDetector"/>).
/// </summary>
internal sealed class ServedColumns
{
    private ServedColumns(IReadOnlyList<ServedColumn> inputs, IReadOnlyList<ServedColumn> outputs, string score, string predictedLabel)
    {
        Inputs = inputs;
        Outputs = outputs;
        ScoreColumnName = score;
        PredictedLabelColumnName = predictedLabel;
    }

    /// <summary>Every input schema column the outputs depend on, in schema order; each request row needs all of them.</summary>
    public IReadOnlyList<ServedColumn> Inputs { get; }

    /// <summary>The detector's output columns a response holds, in schema order.</summary>
    public IReadOnlyList<ServedColumn> Outputs { get; }

    public string ScoreColumnName { get; }

    public string PredictedLabelColumnName { get; }

    /// <param name="model">The loaded model.</param>
    /// <param name="inputSchema">Its input schema.</param>
    /// <param name="responseColumns">The detector's columns to serve (<see cref="AnomalyScorerOptions.ResponseColumns"/>); empty for all.</param>
    /// <exception cref="InvalidOperationException">The model has no anomaly detector, lacks a response column, or reads or emits a column type the endpoint cannot carry in JSON.</exception>
    public static ServedColumns Of(ITransformer model, DataViewSchema inputSchema, IReadOnlyCollection<string> responseColumns)
    {
        var detector = model.FindAnomalyDetector();
        if (detector?.ScoreColumnName is not { } score || detector.PredictedLabelColumnName is not { } label)
            throw new InvalidOperationException("The model has no autoencoder stage that emits both a score and a predicted label: the scoring endpoint serves anomaly-scoring models. Save a pipeline whose autoencoder stage keeps ScoreColumnName and PredictedLabelColumnName set.");
        if (responseColumns.FirstOrDefault(name => !detector.OutputColumnNames.Contains(name)) is { } missing)
            throw new InvalidOperationException($"AnomalyScorerOptions.ResponseColumns names '{missing}', which the model does not emit; it emits {string.Join(", ", detector.OutputColumnNames)}. " +
                "Name only those columns, or leave ResponseColumns empty for all of them.");
        var mapper = model.GetRowToRowMapper(inputSchema);
        var outputs = new List<ServedColumn>();
        foreach (var name in detector.OutputColumnNames.Where(name => responseColumns.Count == 0 || responseColumns.Contains(name)))
        {
            var column = mapper.OutputSchema.GetColumnOrNull(name)
                ?? throw new InvalidOperationException($"The model's output has no column '{name}' (a later stage dropped it); the scoring endpoint serves the anomaly detector's columns.");
            outputs.Add(Describe(column) ?? throw new InvalidOperationException(
                $"Output column '{name}' is {column.Type} (a later stage replaced it); the scoring endpoint returns Single, Boolean and Vector<Single, n> columns."));
        }
        var dependencies = mapper.GetDependencies(outputs.Select(o => o.Column)).Select(c => c.Index).ToHashSet();
        var inputs = new List<ServedColumn>();
        foreach (var column in inputSchema.Where(c => !c.IsHidden && dependencies.Contains(c.Index)))
        {
            var input = Describe(column);
            if (input is null || input.Kind == ValueKind.Boolean)
                throw new InvalidOperationException($"Input column '{column.Name}' is {column.Type}; the scoring endpoint reads Single, Vector<Single, n> and Text fields. Save the model with such input columns (e.g. convert the column in the pipeline).");
            inputs.Add(input);
        }
        return new ServedColumns(inputs, outputs, score, label);
    }

    private static ServedColumn? Describe(DataViewSchema.Column column) => column.Type switch
    {
        NumberDataViewType t when t == NumberDataViewType.Single => new(column.Name, ValueKind.Number, 1, column),
        VectorDataViewType { ItemType: var item, IsKnownSize: true, Size: var size } when item == NumberDataViewType.Single => new(column.Name, ValueKind.Numbers, size, column),
        TextDataViewType => new(column.Name, ValueKind.Text, 1, column),
        BooleanDataViewType => new(column.Name, ValueKind.Boolean, 1, column),
        _ => null,
    };
}
