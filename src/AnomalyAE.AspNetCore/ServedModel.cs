using Microsoft.Extensions.ObjectPool;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace AnomalyAE.AspNetCore;

/// <summary>
/// One loaded model file and what serving it needs: its columns and a pool of <see cref="RowEngine"/>s. The requests
/// using it hold leases (<see cref="ReloadableModelFile{T}"/>), so a model replaced by a reload is disposed
/// only after its last request.
/// </summary>
internal sealed class ServedModel : IDisposable
{
    private readonly ScoringModelFile _file;
    private readonly ObjectPool<RowEngine> _engines;

    private ServedModel(ScoringModelFile file)
    {
        _file = file;
        _engines = new DefaultObjectPoolProvider { MaximumRetained = 2 * Environment.ProcessorCount }.Create(new EnginePolicy(this));
    }

    public ScoringContract Columns => _file.Contract;

    /// <summary>
    /// Loads a model file (verifying its signature when <paramref name="signingKey"/> is given), to serve
    /// <paramref name="responseColumns"/> of its detector's columns (empty for all).
    /// </summary>
    public static ServedModel Load(string path, ModelSigningKey? signingKey, IReadOnlyCollection<string> responseColumns)
    {
        try
        {
            return new(ScoringModelFile.Load(path, signingKey, responseColumns));
        }
        catch (InvalidOperationException e) when (responseColumns.Count > 0 && e.Message.StartsWith("Output column", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"AnomalyScorerOptions.ResponseColumns: {e.Message}", e);
        }
    }

    /// <summary>
    /// Scores the rows of <paramref name="inputs"/> (read for <see cref="ScoringContract.Inputs"/>): one row with a pooled
    /// engine (8.5× faster than a <c>Transform</c> of one row), several in one batched <c>Transform</c> (one forward pass
    /// for all of them: 3.5× faster than an engine row by row at 100 rows; bench/RESULTS.md, "Serving").
    /// </summary>
    public RowBatch Score(RowBatch inputs)
    {
        var outputs = new RowBatch(Columns.Outputs, inputs.Rows);
        if (inputs.Rows > 1)
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

    /// <summary>Frees the pooled engines and the model's native weights (after the last lease, when served by a <see cref="ReloadableModelFile{T}"/>).</summary>
    public void Dispose()
    {
        (_engines as IDisposable)?.Dispose();
        _file.Dispose();
    }

    private void ScoreBatch(RowBatch inputs, RowBatch outputs)
    {
        // The served input columns filled from the request; the contract's other record columns keep default values, as in a RowEngine.
        var data = Columns.CreateRecordBuffers(inputs.Rows);
        foreach (var text in data.Schema.Where(c => c.Type is TextDataViewType)) Array.Fill(data.Texts(text.Index), "");
        for (int slot = 0; slot < inputs.Columns.Count; slot++)
        {
            int column = data.Schema[inputs.Columns[slot].Name].Index;
            switch (inputs.Values[slot])
            {
                case float[][] vectors:
                    var numbers = data.Numbers(column);
                    for (int row = 0; row < vectors.Length; row++) vectors[row].CopyTo(numbers, (long)row * vectors[row].Length);
                    break;
                case float[] values:
                    values.CopyTo(data.Numbers(column), 0);
                    break;
                case string[] texts:
                    texts.CopyTo(data.Texts(column), 0);
                    break;
            }
        }
        data.Rows = inputs.Rows;
        var scored = _file.Model.Transform(data);
        using var cursor = scored.GetRowCursor(Columns.Outputs.Select(o => scored.Schema[o.Name]));
        var reader = new OutputReader(cursor, Columns.Outputs);
        for (int row = 0; row < inputs.Rows && cursor.MoveNext(); row++) reader.Read(outputs, row);
    }

    private sealed class EnginePolicy(ServedModel owner) : IPooledObjectPolicy<RowEngine>
    {
        public RowEngine Create() => new(owner._file.Model, owner._file.InputSchema, owner.Columns);

        public bool Return(RowEngine engine) => true;
    }
}
