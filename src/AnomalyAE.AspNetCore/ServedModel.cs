using AnomalyAE.DataViews;
using Microsoft.Extensions.ObjectPool;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace AnomalyAE.AspNetCore;

/// <summary>
/// One loaded model file and what serving it needs: its columns and a pool of <see cref="RowEngine"/>s. The requests
/// using it hold leases (<see cref="Runtime.ReloadableModelFile{T}"/>), so a model replaced by a reload is disposed
/// only after its last request.
/// </summary>
internal sealed class ServedModel : IDisposable
{
    private readonly ITransformer _model;
    private readonly DataViewSchema _inputSchema;
    private readonly ObjectPool<RowEngine> _engines;
    private readonly bool _canBatch;

    private ServedModel(ITransformer model, DataViewSchema inputSchema, IReadOnlyCollection<string> responseColumns)
    {
        _model = model;
        _inputSchema = inputSchema;
        Columns = ServedColumns.Of(model, inputSchema, responseColumns);
        _engines = new DefaultObjectPoolProvider { MaximumRetained = 2 * Environment.ProcessorCount }.Create(new EnginePolicy(this));
        // A batch goes through ColumnarDataView, which holds Single, Vector<Single> and Text columns only.
        _canBatch = inputSchema.All(c => c.IsHidden || c.Type == NumberDataViewType.Single || c.Type is TextDataViewType
            || c.Type is VectorDataViewType { IsKnownSize: true, ItemType: var item } && item == NumberDataViewType.Single);
    }

    public ServedColumns Columns { get; }

    /// <summary>
    /// Loads a model file through <c>mlContext.Autoencoders().Load</c> (verifying its signature when <paramref name="signingKey"/>
    /// is given), to serve <paramref name="responseColumns"/> of its detector's columns (empty for all).
    /// </summary>
    public static ServedModel Load(string path, ModelSigningKey? signingKey, IReadOnlyCollection<string> responseColumns)
    {
        var catalog = new MLContext(seed: 1).Autoencoders();
        var model = signingKey is null ? catalog.Load(path, out var schema) : catalog.Load(path, signingKey, out schema);
        try
        {
            return new ServedModel(model, schema, responseColumns);
        }
        catch
        {
            (model as IDisposable)?.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Scores the rows of <paramref name="inputs"/> (read for <see cref="ServedColumns.Inputs"/>): one row with a pooled
    /// engine (8.5× faster than a <c>Transform</c> of one row), several in one batched <c>Transform</c> (one forward pass
    /// for all of them: 3.5× faster than an engine row by row at 100 rows; bench/RESULTS.md, "Serving").
    /// </summary>
    public RowBatch Score(RowBatch inputs)
    {
        var outputs = new RowBatch(Columns.Outputs, inputs.Rows);
        if (inputs.Rows > 1 && _canBatch)
        {
            ScoreBatch(inputs, outputs);
            return outputs;
        }
        var engine = _engines.Get();
        try
        {
            for (int row = 0; row < inputs.Rows; row++) engine.Score(inputs, outputs, row);
        }
        finally
        {
            _engines.Return(engine);
        }
        return outputs;
    }

    /// <summary>Frees the pooled engines and the model's native weights (after the last lease, when served by a <see cref="Runtime.ReloadableModelFile{T}"/>).</summary>
    public void Dispose()
    {
        (_engines as IDisposable)?.Dispose();
        (_model as IDisposable)?.Dispose();
    }

    private void ScoreBatch(RowBatch inputs, RowBatch outputs)
    {
        var builder = new ColumnarDataView.Builder();
        var slots = inputs.Columns.Select((c, slot) => (c.Column.Index, slot)).ToDictionary(p => p.Index, p => p.slot);
        foreach (var column in _inputSchema.Where(c => !c.IsHidden))
        {
            // Columns the score does not depend on get default values, as in a RowEngine.
            bool given = slots.TryGetValue(column.Index, out int slot);
            switch (column.Type)
            {
                case VectorDataViewType vector:
                    builder.AddVector(column.Name, vector.Size, given ? (float[][])inputs.Values[slot] : [.. Enumerable.Range(0, inputs.Rows).Select(_ => new float[vector.Size])]);
                    break;
                case TextDataViewType:
                    builder.AddText(column.Name, given ? (string[])inputs.Values[slot] : [.. Enumerable.Repeat("", inputs.Rows)]);
                    break;
                default:
                    builder.AddSingle(column.Name, given ? (float[])inputs.Values[slot] : new float[inputs.Rows]);
                    break;
            }
        }
        var scored = _model.Transform(builder.Build());
        using var cursor = scored.GetRowCursor(Columns.Outputs.Select(o => scored.Schema[o.Name]));
        var reader = new OutputReader(cursor, Columns.Outputs);
        for (int row = 0; row < inputs.Rows && cursor.MoveNext(); row++) reader.Read(outputs, row);
    }

    private sealed class EnginePolicy(ServedModel owner) : IPooledObjectPolicy<RowEngine>
    {
        public RowEngine Create() => new(owner._model, owner._inputSchema, owner.Columns);

        public bool Return(RowEngine engine) => true;
    }
}
