using Microsoft.ML;

namespace AnomalyAE;

/// <summary>
/// A model file loaded for serving: the model, its input schema and its <see cref="ScoringContract"/>. Loading verifies the
/// file's signature when a key is given. Dispose it to free the model's native weights.
/// </summary>
public sealed class ScoringModelFile : IDisposable
{
    private ScoringModelFile(ITransformer model, DataViewSchema inputSchema, ScoringContract contract)
    {
        Model = model;
        InputSchema = inputSchema;
        Contract = contract;
    }

    /// <summary>The loaded model (an .aeml pipeline, or an ONNX model scored through ONNX Runtime).</summary>
    public ITransformer Model { get; }

    /// <summary>The schema the model expects as input.</summary>
    public DataViewSchema InputSchema { get; }

    /// <summary>What serving the model reads and writes.</summary>
    public ScoringContract Contract { get; }

    /// <summary>
    /// Loads <paramref name="path"/> (only if signed with <paramref name="verificationKey"/>, when given) to serve
    /// <paramref name="outputColumns"/> of its detector's columns (null or empty for all).
    /// </summary>
    /// <param name="path">The model file.</param>
    /// <param name="verificationKey">Null to accept unsigned files; otherwise only files signed with this key load.</param>
    /// <param name="outputColumns">The detector's columns to serve; null or empty for all.</param>
    /// <param name="context">The context whose log receives the loader's messages; null for a new one.</param>
    /// <exception cref="InvalidDataException">The file is not a valid, (when asked) signed model.</exception>
    /// <exception cref="InvalidOperationException">The model cannot serve (see <see cref="ScoringContract.For"/>).</exception>
    public static ScoringModelFile Load(string path, ModelSigningKey? verificationKey = null, IReadOnlyCollection<string>? outputColumns = null, MLContext? context = null)
    {
        var catalog = (context ?? new MLContext(seed: 1)).Autoencoders();
        var model = verificationKey is null ? catalog.Load(path, out var schema) : catalog.Load(path, verificationKey, out schema);
        return Serve(model, schema, outputColumns);
    }

    /// <summary>Loads a model from <paramref name="stream"/>; see <see cref="Load(string, ModelSigningKey?, IReadOnlyCollection{string}?, MLContext?)"/>.</summary>
    public static ScoringModelFile Load(Stream stream, ModelSigningKey? verificationKey = null, IReadOnlyCollection<string>? outputColumns = null, MLContext? context = null)
    {
        var catalog = (context ?? new MLContext(seed: 1)).Autoencoders();
        var model = verificationKey is null ? catalog.Load(stream, out var schema) : catalog.Load(stream, verificationKey, out schema);
        return Serve(model, schema, outputColumns);
    }

    /// <summary>Frees the model's native weights.</summary>
    public void Dispose() => (Model as IDisposable)?.Dispose();

    private static ScoringModelFile Serve(ITransformer model, DataViewSchema schema, IReadOnlyCollection<string>? outputColumns)
    {
        try
        {
            return new ScoringModelFile(model, schema, ScoringContract.For(model, schema, outputColumns));
        }
        catch
        {
            (model as IDisposable)?.Dispose();
            throw;
        }
    }
}
