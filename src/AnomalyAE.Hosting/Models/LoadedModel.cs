using AnomalyAE.Hosting.Records;
using Microsoft.ML;

namespace AnomalyAE.Hosting.Models;

/// <summary>A loaded model with its record scorer.</summary>
internal sealed class LoadedModel : IDisposable
{
    private readonly ScoringModelFile _file;

    private LoadedModel(ScoringModelFile file, RecordScorer scorer)
    {
        _file = file;
        Scorer = scorer;
    }

    public ITransformer Model => _file.Model;

    /// <summary>Turns records into scores with this model: each record alone, or, for a sequence model, against its series' window.</summary>
    public RecordScorer Scorer { get; }

    /// <summary>
    /// Loads <see cref="ScoringOptions.ModelPath"/>, verifying its signature when <see cref="ScoringOptions.ModelSigningKey"/>
    /// is set; throws (InvalidDataException, InvalidOperationException, IOException) when the file cannot serve.
    /// </summary>
    public static LoadedModel Load(ScoringOptions options)
    {
        var file = ScoringModelFile.Load(options.ModelPath, SigningKey(options));
        try
        {
            RecordScorer scorer = SeriesRecordScorer.Serves(file.Contract)
                ? new SeriesRecordScorer(file.Model, file.Contract, options.IdField, options.Series.ToScorerOptions())
                : new RecordBatchScorer(file.Model, file.Contract, options.IdField);
            return new LoadedModel(file, scorer);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>The verification key from the options; null when models are not required to be signed.</summary>
    public static ModelSigningKey? SigningKey(ScoringOptions options) =>
        string.IsNullOrWhiteSpace(options.ModelSigningKey) ? null : ModelSigningKey.FromBase64(options.ModelSigningKey);

    public void Dispose() => _file.Dispose();
}
