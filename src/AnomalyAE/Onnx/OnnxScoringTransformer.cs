using Microsoft.ML;
using Microsoft.ML.Data;

using AnomalyAE.Onnx;
using AnomalyAE.Transforms;

namespace AnomalyAE;

/// <summary>
/// Scores with an exported ONNX model through ONNX Runtime, without libtorch: what <c>mlContext.Autoencoders().Load</c>
/// returns for a file written by <c>ExportToOnnx</c>. Adds the exported output columns (score, predicted label, latent
/// features, reconstruction, …, under the names they were exported with) to the input, lazily and in batches; reports the
/// same column names and threshold as the autoencoder stage it was exported from. Dispose it when done.
/// </summary>
public sealed class OnnxScoringTransformer : ITransformer, IDisposable, IAnomalyDetector
{
    internal const string FeaturesKind = "Features";
    private int _disposed;

    internal OnnxScoringTransformer(OnnxScoringModel model) => Model = model;

    internal OnnxScoringModel Model { get; }

    /// <inheritdoc />
    public float Threshold => Model.Info.Threshold;

    /// <inheritdoc />
    public string FeatureColumnName => Model.Info.FeatureColumnName;

    /// <inheritdoc />
    public int InputDimension => Model.Info.InputDimension;

    /// <inheritdoc />
    public int LatentDimension => Model.Info.LatentDimension;

    /// <inheritdoc />
    public string? ScoreColumnName => NameOf(OutputKind.Score);

    /// <inheritdoc />
    public string? PredictedLabelColumnName => NameOf(OutputKind.PredictedLabel);

    /// <inheritdoc />
    public string? LatentFeaturesColumnName => NameOf(OutputKind.LatentFeatures);

    /// <inheritdoc />
    public string? ReconstructionColumnName => NameOf(OutputKind.Reconstruction);

    /// <inheritdoc />
    public string? ProbabilityColumnName => NameOf(OutputKind.Probability);

    /// <inheritdoc />
    public string? FeatureContributionsColumnName => NameOf(OutputKind.FeatureContributions);

    /// <inheritdoc />
    public IReadOnlyList<string> OutputColumnNames => [.. Model.Outputs.Select(o => o.Name)];

    /// <summary>Always true: <c>CreatePredictionEngine</c> works on this transformer.</summary>
    public bool IsRowToRowMapper => true;

    /// <summary>
    /// A scorer of single rows for latency-critical callers: the feature values in, the score out, with no data view in
    /// between. Needs a model whose only graph input is the feature vector. Not thread-safe: one per thread; dispose it.
    /// </summary>
    public OnnxRowScorer CreateRowScorer()
    {
        ThrowIfDisposed();
        return new OnnxRowScorer(Model);
    }

    /// <inheritdoc />
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema) => BuildSchema(inputSchema);

    /// <summary>Adds the output columns to <paramref name="input"/>. Lazy: rows are scored when a cursor reads them.</summary>
    public IDataView Transform(IDataView input)
    {
        ThrowIfDisposed();
        return new ScoredDataView(input, BuildSchema(input.Schema), InputColumns(input.Schema), Math.Max(1, Model.Info.BatchSize),
            capacity => new OnnxBatchScorer(Model, capacity));
    }

    /// <inheritdoc />
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema)
    {
        ThrowIfDisposed();
        return new ScoringRowMapper(inputSchema, BuildSchema(inputSchema), InputColumns(inputSchema), capacity => new OnnxBatchScorer(Model, capacity));
    }

    void ICanSaveModel.Save(ModelSaveContext ctx) =>
        throw new NotSupportedException("An ONNX model is saved as the .onnx file it was loaded from; mlContext.Model.Save cannot store it.");

    /// <summary>Releases the ONNX Runtime session once no cursor is using it any more.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0) Model.Release();
    }

    /// <summary>The columns of <paramref name="input"/> the graph's inputs come from, in graph order.</summary>
    private DataViewSchema.Column[] InputColumns(DataViewSchema input) => [.. Model.Inputs.Select(i => OnnxInputColumns.Find(input, i))];

    private string? NameOf(OutputKind kind) => Model.Outputs.FirstOrDefault(o => o.Kind == kind.ToString())?.Name;

    /// <summary>The input's columns followed by the outputs; checks every graph input is a column of the right type.</summary>
    private DataViewSchema BuildSchema(DataViewSchema input)
    {
        foreach (var graphInput in Model.Inputs) OnnxInputColumns.Find(input, graphInput);
        var builder = new DataViewSchema.Builder();
        builder.AddColumns(input);
        foreach (var output in Model.Outputs) builder.AddColumn(output.Name, output.Type, SlotNames(output));
        return builder.ToSchema();
    }

    private DataViewSchema.Annotations? SlotNames(OnnxOutput output)
    {
        if (Model.Info.FeatureSlotNames is not { } names || output.Width != names.Length || !output.KeepsSlotNames) return null;
        var builder = new DataViewSchema.Annotations.Builder();
        ValueGetter<VBuffer<ReadOnlyMemory<char>>> getter = (ref VBuffer<ReadOnlyMemory<char>> value) =>
            value = new VBuffer<ReadOnlyMemory<char>>(names.Length, [.. names.Select(n => n.AsMemory())]);
        builder.Add("SlotNames", new VectorDataViewType(TextDataViewType.Instance, names.Length), getter);
        return builder.ToAnnotations();
    }

    private void ThrowIfDisposed()
    {
        if (Volatile.Read(ref _disposed) != 0) throw new ObjectDisposedException(nameof(OnnxScoringTransformer));
    }
}
