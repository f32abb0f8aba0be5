using AnomalyAE.Persistence;
using Microsoft.ML;

namespace AnomalyAE;

/// <summary>
/// Saving signed models and loading only signed ones (see <see cref="ModelSigningKey"/>). Keep the key out of source and
/// command lines: read it from configuration, a secret store or an environment variable.
/// </summary>
public static class SignedModelExtensions
{
    /// <summary>
    /// Saves like <see cref="AutoencoderCatalog.Save(ITransformer, DataViewSchema, string)"/>, and signs the file with
    /// <paramref name="signingKey"/> (an HMAC-SHA256 of its manifest, which pins every part by SHA-256).
    /// </summary>
    public static void Save(this AutoencoderCatalog catalog, ITransformer model, DataViewSchema inputSchema, string path, ModelSigningKey signingKey) =>
        new ModelWriter(ContextOf(catalog), Required(signingKey)).Save(model, inputSchema, path);

    /// <summary>Saves a signed model to <paramref name="stream"/>; see <see cref="Save(AutoencoderCatalog, ITransformer, DataViewSchema, string, ModelSigningKey)"/>.</summary>
    public static void Save(this AutoencoderCatalog catalog, ITransformer model, DataViewSchema inputSchema, Stream stream, ModelSigningKey signingKey) =>
        new ModelWriter(ContextOf(catalog), Required(signingKey)).Save(model, inputSchema, stream);

    /// <summary>
    /// Loads like <see cref="AutoencoderCatalog.Load(string, out DataViewSchema)"/>, and only a model signed with
    /// <paramref name="verificationKey"/>: an unsigned file, one signed with another key, or one changed after signing
    /// throws <see cref="InvalidDataException"/> before any of it is used.
    /// </summary>
    public static ITransformer Load(this AutoencoderCatalog catalog, string path, ModelSigningKey verificationKey, out DataViewSchema inputSchema) =>
        new ModelReader(ContextOf(catalog), Required(verificationKey)).Load(path, out inputSchema);

    /// <summary>Loads a signed model from <paramref name="stream"/>; see <see cref="Load(AutoencoderCatalog, string, ModelSigningKey, out DataViewSchema)"/>.</summary>
    public static ITransformer Load(this AutoencoderCatalog catalog, Stream stream, ModelSigningKey verificationKey, out DataViewSchema inputSchema) =>
        new ModelReader(ContextOf(catalog), Required(verificationKey)).Load(stream, null, out inputSchema);

    private static MLContext ContextOf(AutoencoderCatalog catalog) => (catalog ?? throw new ArgumentNullException(nameof(catalog))).Context;

    private static ModelSigningKey Required(ModelSigningKey key) => key ?? throw new ArgumentNullException(nameof(key), "Give a ModelSigningKey, or use the overload without one.");
}
