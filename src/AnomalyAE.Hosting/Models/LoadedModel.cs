using AnomalyAE.Hosting.Records;
using Microsoft.ML;

namespace AnomalyAE.Hosting.Models;

/// <summary>A loaded model with its record scorer.</summary>
internal sealed class LoadedModel : IDisposable
{
    private readonly ScoringModelFile _file;

    private LoadedModel(ScoringModelFile file, RecordBatchScorer scorer)
    {
        _file = file;
        Scorer = scorer;
    }

    public ITransformer Model => _file.Model;

    /// <summary>Turns records into scores with this model.</summary>
    public RecordBatchScorer Scorer { get; }

    /// <summary>
    /// Loads <see cref="ScoringOptions.ModelPath"/>, verifying its signature when <see cref="ScoringOptions.ModelSigningKey"/>
    /// is set; throws (InvalidDataException, InvalidOperationException, IOException) when the file cannot serve.
    /// </summary>
    public static LoadedModel Load(ScoringOptions options)
    {
        var file = ScoringModelFile.Load(options.ModelPath, SigningKey(options));
        try
        {
            return new LoadedModel(file, new RecordBatchScorer(file.Model, file.Contract, options.IdField));
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
