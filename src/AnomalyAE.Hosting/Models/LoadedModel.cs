using AnomalyAE.Hosting.Records;
using Microsoft.ML;

namespace AnomalyAE.Hosting.Models;

/// <summary>A loaded model with its record scorer.</summary>
internal sealed class LoadedModel : IDisposable
{
    private LoadedModel(ITransformer model, RecordBatchScorer scorer)
    {
        Model = model;
        Scorer = scorer;
    }

    public ITransformer Model { get; }

    /// <summary>Turns records into scores with this model.</summary>
    public RecordBatchScorer Scorer { get; }

    /// <summary>
    /// Loads <see cref="ScoringOptions.ModelPath"/>, verifying its signature when <see cref="ScoringOptions.ModelSigningKey"/>
    /// is set; throws (InvalidDataException, InvalidOperationException, IOException) when the file cannot serve.
    /// </summary>
    public static LoadedModel Load(ScoringOptions options)
    {
        var signingKey = SigningKey(options);
        var context = new MLContext(seed: 1);
        var model = signingKey is null
            ? context.Autoencoders().Load(options.ModelPath, out var schema)
            : context.Autoencoders().Load(options.ModelPath, signingKey, out schema);
        try
        {
            return new LoadedModel(model, new RecordBatchScorer(model, schema, options.IdField));
        }
        catch
        {
            (model as IDisposable)?.Dispose();
            throw;
        }
    }

    /// <summary>The verification key from the options; null when models are not required to be signed.</summary>
    public static ModelSigningKey? SigningKey(ScoringOptions options) =>
        string.IsNullOrWhiteSpace(options.ModelSigningKey) ? null : ModelSigningKey.FromBase64(options.ModelSigningKey);

    public void Dispose() => (Model as IDisposable)?.Dispose();
}
