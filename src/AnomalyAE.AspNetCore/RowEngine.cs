using Microsoft.ML;

namespace AnomalyAE.AspNetCore;

/// <summary>
/// Scores one row at a time with the model's row mapper, as ML.NET's <c>PredictionEngine</c> does, for schemas known only
/// at run time. Not thread-safe: <see cref="RowModel"/> pools them, one per concurrent request.
/// </summary>
internal sealed class RowEngine : IDisposable
{
    private readonly BatchRow _input;
    private readonly DataViewRow _output;
    private readonly OutputReader _reader;

    public RowEngine(ITransformer model, DataViewSchema inputSchema, ScoringContract columns)
    {
        var mapper = model.GetRowToRowMapper(inputSchema);
        _input = new BatchRow(inputSchema, columns.Inputs);
        _output = mapper.GetRow(_input, columns.Outputs.Select(o => mapper.OutputSchema[o.Name]));
        _reader = new OutputReader(_output, columns.Outputs);
    }

    /// <summary>Scores row <paramref name="row"/> of <paramref name="inputs"/> into the same row of <paramref name="outputs"/>.</summary>
    public void Score(RowBatch inputs, RowBatch outputs, int row)
    {
        _input.MoveTo(inputs, row);
        _reader.Read(outputs, row);
    }

    public void Dispose()
    {
        _output.Dispose();
        _input.Dispose();
    }
}
