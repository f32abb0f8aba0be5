namespace AnomalyAE.AspNetCore;

/// <summary>
/// One loaded model file and what serving it needs: its columns and its <see cref="RowModel"/>. The requests using it hold
/// leases (<see cref="ReloadableModelFile{T}"/>), so a model replaced by a reload is disposed only after its last request.
/// </summary>
internal sealed class ServedModel : IDisposable
{
    private readonly ScoringModelFile _file;
    private readonly RowModel _rows;

    private ServedModel(ScoringModelFile file)
    {
        _file = file;
        _rows = new RowModel(file.Model, file.InputSchema, file.Contract);
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

    /// <summary>Scores the rows of <paramref name="inputs"/> (read for <see cref="ScoringContract.Inputs"/>); see <see cref="RowModel.Score"/>.</summary>
    public RowBatch Score(RowBatch inputs) => _rows.Score(inputs);

    /// <summary>Frees the pooled engines and the model's native weights (after the last lease, when served by a <see cref="ReloadableModelFile{T}"/>).</summary>
    public void Dispose()
    {
        _rows.Dispose();
        _file.Dispose();
    }
}
