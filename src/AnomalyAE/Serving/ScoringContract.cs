using Microsoft.ML;
using Microsoft.ML.Data;

namespace AnomalyAE;

/// <summary>
/// What serving a loaded model means: the stage that detects anomalies, the input columns a record must carry (with their
/// types and slot names), and the columns scoring writes, under the names the model gives them. The CLI, the scoring worker
/// and the ASP.NET Core endpoint read models through it; a host of your own can too.
/// </summary>
public sealed class ScoringContract
{
    private ScoringContract(IAnomalyDetector detector, IReadOnlyList<ServedColumn> inputs, IReadOnlyList<ServedColumn> outputs, DataViewSchema recordSchema)
    {
        Detector = detector;
        ScoreColumnName = detector.ScoreColumnName!;
        PredictedLabelColumnName = detector.PredictedLabelColumnName!;
        Inputs = inputs;
        Outputs = outputs;
        RecordSchema = recordSchema;
        Contributions = outputs.FirstOrDefault(o => o.Name == detector.FeatureContributionsColumnName && o.Kind == ServedValueKind.Numbers);
    }

    /// <summary>The stage whose columns are served (<see cref="AutoencoderStages.FindAnomalyDetector"/>).</summary>
    public IAnomalyDetector Detector { get; }

    /// <summary>The anomaly score column (Single, higher = more anomalous).</summary>
    public string ScoreColumnName { get; }

    /// <summary>The <c>Score &gt; Threshold</c> column (Boolean).</summary>
    public string PredictedLabelColumnName { get; }

    /// <summary>Every input column the served outputs depend on, in schema order: each record must carry all of them.</summary>
    public IReadOnlyList<ServedColumn> Inputs { get; }

    /// <summary>The detector's columns that are served, in schema order.</summary>
    public IReadOnlyList<ServedColumn> Outputs { get; }

    /// <summary>The feature contributions column when it is served: its slot names name the features.</summary>
    public ServedColumn? Contributions { get; }

    /// <summary>
    /// The schema of data built from records (<see cref="CreateRecordBuffers"/>): every visible input column, a type a record
    /// cannot carry replaced by Text (such a column is never required, see <see cref="Inputs"/>).
    /// </summary>
    public DataViewSchema RecordSchema { get; }

    /// <summary>Flat arrays for <paramref name="capacity"/> records of <see cref="RecordSchema"/>, to fill in place and score with <c>Transform</c>.</summary>
    public DataViews.ColumnarDataView CreateRecordBuffers(int capacity) => DataViews.ColumnarDataView.ForSchema(RecordSchema, capacity);

    /// <summary>
    /// The contract of <paramref name="model"/> applied to data of <paramref name="inputSchema"/>, serving
    /// <paramref name="outputColumns"/> of its detector's columns (null or empty for all).
    /// </summary>
    /// <exception cref="InvalidOperationException">
    /// The model has no stage that emits both a score and a predicted label, lacks a requested column, or reads or writes a
    /// column type a record cannot carry; the message names the column and the fix.
    /// </exception>
    public static ScoringContract For(ITransformer model, DataViewSchema inputSchema, IReadOnlyCollection<string>? outputColumns = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(inputSchema);
        var detector = model.FindAnomalyDetector();
        if (detector?.ScoreColumnName is null || detector.PredictedLabelColumnName is null)
            throw new InvalidOperationException("The model has no autoencoder stage that emits both a score and a predicted label: serving needs an anomaly-scoring model. " +
                "Save a pipeline whose autoencoder stage keeps ScoreColumnName and PredictedLabelColumnName set.");
        outputColumns ??= [];
        if (outputColumns.FirstOrDefault(name => !detector.OutputColumnNames.Contains(name)) is { } missing)
            throw new InvalidOperationException($"Output column '{missing}' is asked for, but the model does not emit it; it emits {string.Join(", ", detector.OutputColumnNames)}. " +
                "Ask only for those columns, or for none to get all of them.");
        // A model whose rows depend on other rows (a sequence stage) has no row mapper: its output schema comes from the model, and
        // the records carry the columns its sequence stage reads (channels, series, order) through the stages before it. A series or
        // order column of a type a record cannot carry (Double, DateTime, a key) travels as Text and is parsed back, so it is not demanded.
        var mapper = model.IsRowToRowMapper ? model.GetRowToRowMapper(inputSchema) : null;
        var outputSchema = mapper?.OutputSchema ?? model.GetOutputSchema(inputSchema);
        ServedColumn Output(string name)
        {
            var column = outputSchema.GetColumnOrNull(name)
                ?? throw new InvalidOperationException($"The model's output has no column '{name}' (a later stage dropped it); serving reads the anomaly detector's columns.");
            var served = ServedColumn.Of(column);
            bool expected = name == detector.ScoreColumnName ? served?.Kind == ServedValueKind.Number
                : name == detector.PredictedLabelColumnName ? served?.Kind == ServedValueKind.Boolean
                : served is not null && served.Kind != ServedValueKind.Text;
            return expected ? served! : throw new InvalidOperationException(
                $"Output column '{name}' is {column.Type} (a later stage replaced it); serving reads a Single score, a Boolean label and Single or Vector<Single, n> columns.");
        }
        Output(detector.ScoreColumnName);
        Output(detector.PredictedLabelColumnName);
        var outputs = detector.OutputColumnNames.Where(name => outputColumns.Count == 0 || outputColumns.Contains(name)).Select(Output).ToList();
        var dependencies = mapper is not null
            ? mapper.GetDependencies(outputs.Select(o => o.Column)).Select(c => c.Index).ToHashSet()
            : detector is SequenceAutoencoderTransformer
                ? SequenceAutoencoderTransformer.InputsRead(model, inputSchema).Select(c => inputSchema[c.Name]).Where(Carried).Select(c => c.Index).ToHashSet()
                : inputSchema.Where(c => !c.IsHidden && Carried(c)).Select(c => c.Index).ToHashSet();
        var inputs = new List<ServedColumn>();
        var recordSchema = new DataViewSchema.Builder();
        foreach (var column in inputSchema.Where(c => !c.IsHidden))
        {
            var served = ServedColumn.Of(column);
            bool carried = Carried(column);
            if (dependencies.Contains(column.Index))
            {
                if (!carried)
                    throw new InvalidOperationException($"Input column '{column.Name}' is {column.Type}; a record carries Single, Vector<Single, n> and Text fields. " +
                        "Save the model with such input columns (e.g. convert the column in the pipeline).");
                inputs.Add(served!);
            }
            recordSchema.AddColumn(column.Name, carried ? column.Type : TextDataViewType.Instance);
        }
        return new ScoringContract(detector, inputs, outputs, recordSchema.ToSchema());
    }

    private static bool Carried(DataViewSchema.Column column) => ServedColumn.Of(column) is { Kind: not ServedValueKind.Boolean };
}
