using AnomalyAE.Persistence;
using Microsoft.ML;

namespace AnomalyAE;

/// <summary>Entry point: <c>mlContext.Autoencoders()</c>.</summary>
public static class MLContextAutoencoderExtensions
{
    /// <summary>
    /// The autoencoder catalog of <paramref name="context"/>. Rooted on <see cref="MLContext"/> because the estimators
    /// draw their default seed from its seed stream and report through its <c>Log</c>.
    /// </summary>
    public static AutoencoderCatalog Autoencoders(this MLContext context) => new(context ?? throw new ArgumentNullException(nameof(context)));
}

/// <summary>Creates autoencoder estimators, in the manner of ML.NET's own catalogs.</summary>
public sealed class AutoencoderCatalog
{
    private readonly MLContext _context;

    internal AutoencoderCatalog(MLContext context) => _context = context;

    /// <summary>The context this catalog was made from (for extensions such as <see cref="SignedModelExtensions"/>).</summary>
    internal MLContext Context => _context;

    /// <summary>An autoencoder scoring rows by reconstruction error (anomaly detection), configured by <paramref name="options"/>.</summary>
    /// <example><code>
    /// var pipeline = ml.Transforms.NormalizeMinMax("Features")
    ///     .Append(ml.Autoencoders().Autoencoder(new AutoencoderOptions { LatentDimension = 32, Epochs = 50 }));
    /// </code></example>
    public AutoencoderEstimator Autoencoder(AutoencoderOptions options) => new(_context, options);

    /// <summary>An undercomplete autoencoder with the most used options as parameters.</summary>
    /// <param name="featureColumnName">Input column: a known-size vector of Single (default <see cref="AutoencoderOptionsBase.Defaults.FeatureColumnName"/>, "Features").</param>
    /// <param name="latentDimension">Size of the latent code; null chooses it from the number of features (see <see cref="AutoencoderOptionsBase.LatentDimension"/>).</param>
    /// <param name="hiddenLayers">Encoder hidden widths (decoder mirrors them); null chooses them from the number of features (see <see cref="AutoencoderOptionsBase.HiddenLayers"/>).</param>
    /// <param name="epochs">Passes over the data; null chooses them from the number of rows (see <see cref="AutoencoderOptionsBase.Epochs"/>).</param>
    /// <param name="contamination">Expected fraction of anomalies; sets the threshold (default <see cref="AutoencoderOptionsBase.Defaults.Contamination"/>, 0.1); null sets it automatically (see <see cref="AutoencoderOptionsBase.Contamination"/>).</param>
    /// <param name="seed">Seed; null draws from the context's seed stream.</param>
    public AutoencoderEstimator Autoencoder(string featureColumnName = AutoencoderOptions.Defaults.FeatureColumnName, int? latentDimension = null, int[]? hiddenLayers = null,
        int? epochs = null, double? contamination = AutoencoderOptions.Defaults.Contamination, int? seed = null) =>
        Autoencoder(new AutoencoderOptions
        {
            FeatureColumnName = featureColumnName,
            LatentDimension = latentDimension,
            HiddenLayers = hiddenLayers,
            Epochs = epochs,
            Contamination = contamination,
            Seed = seed,
        });

    /// <summary>A variational autoencoder configured by <paramref name="options"/>: anomaly scores, latent features and generation.</summary>
    public VariationalAutoencoderEstimator VariationalAutoencoder(VariationalAutoencoderOptions options) => new(_context, options);

    /// <summary>A variational autoencoder with the most used options as parameters.</summary>
    /// <param name="featureColumnName">Input column: a known-size vector of Single (default <see cref="AutoencoderOptionsBase.Defaults.FeatureColumnName"/>, "Features").</param>
    /// <param name="latentDimension">Size of the latent code; null chooses it from the number of features (see <see cref="AutoencoderOptionsBase.LatentDimension"/>).</param>
    /// <param name="hiddenLayers">Encoder hidden widths (decoder mirrors them); null chooses them from the number of features (see <see cref="AutoencoderOptionsBase.HiddenLayers"/>).</param>
    /// <param name="epochs">Passes over the data; null chooses them from the number of rows (see <see cref="AutoencoderOptionsBase.Epochs"/>).</param>
    /// <param name="beta">Weight of the KL term (default <see cref="AutoencoderOptionsBase.Defaults.Beta"/>, 1).</param>
    /// <param name="scoreKind">What the score column holds (default <see cref="AutoencoderOptionsBase.Defaults.VariationalScoreKind"/>, reconstruction error).</param>
    /// <param name="contamination">Expected fraction of anomalies; sets the threshold (default <see cref="AutoencoderOptionsBase.Defaults.Contamination"/>, 0.1); null sets it automatically (see <see cref="AutoencoderOptionsBase.Contamination"/>).</param>
    /// <param name="seed">Seed; null draws from the context's seed stream.</param>
    public VariationalAutoencoderEstimator VariationalAutoencoder(string featureColumnName = VariationalAutoencoderOptions.Defaults.FeatureColumnName, int? latentDimension = null,
        int[]? hiddenLayers = null, int? epochs = null, double beta = VariationalAutoencoderOptions.Defaults.Beta,
        VariationalScoreKind scoreKind = VariationalAutoencoderOptions.Defaults.VariationalScoreKind,
        double? contamination = VariationalAutoencoderOptions.Defaults.Contamination, int? seed = null) =>
        VariationalAutoencoder(new VariationalAutoencoderOptions
        {
            FeatureColumnName = featureColumnName,
            LatentDimension = latentDimension,
            HiddenLayers = hiddenLayers,
            Epochs = epochs,
            Beta = beta,
            ScoreKind = scoreKind,
            Contamination = contamination,
            Seed = seed,
        });

    /// <summary>
    /// An autoencoder over sliding windows of time series (one row per time step), configured by <paramref name="options"/>:
    /// every row gets the anomaly score of the windows that cover it (see <see cref="SequenceAutoencoderOptions"/>).
    /// </summary>
    /// <example><code>
    /// var pipeline = ml.Transforms.Concatenate("Features", "cpu", "memory", "latency")
    ///     .Append(ml.Transforms.NormalizeMeanVariance("Features"))
    ///     .Append(ml.Autoencoders().SequenceAutoencoder(new SequenceAutoencoderOptions { WindowSize = 64, SeriesColumnName = "host", OrderColumnName = "time" }));
    /// </code></example>
    public SequenceAutoencoderEstimator SequenceAutoencoder(SequenceAutoencoderOptions options) => new(_context, options);

    /// <summary>A sequence autoencoder with the most used options as parameters.</summary>
    /// <param name="featureColumnName">The channels: a Single column, or a known-size vector of Single (default "Features").</param>
    /// <param name="windowSize">Time steps per window (default <see cref="AutoencoderOptionsBase.Defaults.WindowSize"/>, 64).</param>
    /// <param name="seriesColumnName">The column naming each row's series; null: one series.</param>
    /// <param name="orderColumnName">The column ordering the rows of a series; null: the rows are in order.</param>
    /// <param name="architecture">The network over a window (default <see cref="SequenceArchitecture.Dense"/>).</param>
    /// <param name="seed">Seed; null draws from the context's seed stream.</param>
    public SequenceAutoencoderEstimator SequenceAutoencoder(string featureColumnName = SequenceAutoencoderOptions.Defaults.FeatureColumnName,
        int windowSize = SequenceAutoencoderOptions.Defaults.WindowSize, string? seriesColumnName = null, string? orderColumnName = null,
        SequenceArchitecture architecture = SequenceAutoencoderOptions.Defaults.SequenceArchitecture, int? seed = null) =>
        SequenceAutoencoder(new SequenceAutoencoderOptions
        {
            FeatureColumnName = featureColumnName,
            WindowSize = windowSize,
            SeriesColumnName = seriesColumnName,
            OrderColumnName = orderColumnName,
            Architecture = architecture,
            Seed = seed,
        });

    /// <summary>
    /// A network kind of your own (or any kind) described by <paramref name="options"/>: a class derived from
    /// <see cref="AutoencoderOptionsBase"/> whose <see cref="AutoencoderOptionsBase.CreateSpec"/> returns the kind's spec. It
    /// trains, scores, saves, loads and exports as the library's own kinds do; register its spec with
    /// <see cref="Networks.NetworkKinds.Register{TSpec}"/> before saving or loading (see the README's "A network of your own").
    /// </summary>
    /// <param name="options">The options, copied and checked now (including the spec's own rules).</param>
    public AutoencoderVariantEstimator<TOptions> Variant<TOptions>(TOptions options) where TOptions : AutoencoderOptionsBase => new(_context, options);

    /// <summary>
    /// Dimensionality reduction: fits an autoencoder on <paramref name="inputColumnName"/> and emits only its latent code as
    /// <paramref name="outputColumnName"/>, a vector of <paramref name="latentDimension"/> values (the non-linear counterpart of
    /// <c>ProjectToPrincipalComponents</c>).
    /// </summary>
    /// <param name="outputColumnName">Column for the latent features.</param>
    /// <param name="inputColumnName">Input column; null means <paramref name="outputColumnName"/>.</param>
    /// <param name="latentDimension">Number of latent features; null chooses it from the number of input features (see <see cref="AutoencoderOptionsBase.LatentDimension"/>).</param>
    /// <param name="hiddenLayers">Encoder hidden widths; null chooses them from the number of features (see <see cref="AutoencoderOptionsBase.HiddenLayers"/>).</param>
    /// <param name="epochs">Passes over the data; null chooses them from the number of rows (see <see cref="AutoencoderOptionsBase.Epochs"/>).</param>
    /// <param name="seed">Seed; null draws from the context's seed stream.</param>
    public AutoencoderEstimator ProjectToLatentSpace(string outputColumnName, string? inputColumnName = null, int? latentDimension = null,
        int[]? hiddenLayers = null, int? epochs = null, int? seed = null) =>
        Autoencoder(new AutoencoderOptions
        {
            FeatureColumnName = inputColumnName ?? outputColumnName,
            LatentFeaturesColumnName = outputColumnName,
            ScoreColumnName = null,
            PredictedLabelColumnName = null,
            ReconstructionColumnName = null,
            ProbabilityColumnName = null,
            // One network: an ensemble's members each have their own latent space, and no score is emitted here.
            EnsembleSize = 1,
            ScoreKind = AutoencoderScoreKind.ReconstructionError,
            LatentDimension = latentDimension,
            HiddenLayers = hiddenLayers,
            Epochs = epochs,
            Seed = seed,
        });

    /// <summary>
    /// Saves a fitted model (a chain of ML.NET and autoencoder stages, or a single autoencoder transformer) to one file.
    /// The write is atomic: the file at <paramref name="path"/> is replaced only once the new one is complete.
    /// </summary>
    /// <param name="model">The fitted model.</param>
    /// <param name="inputSchema">Schema of the data the model is applied to (e.g. <c>trainingData.Schema</c>).</param>
    /// <param name="path">Destination file; conventionally <c>*.aeml</c>.</param>
    public void Save(ITransformer model, DataViewSchema inputSchema, string path) => new ModelWriter(_context).Save(model, inputSchema, path);

    /// <summary>Saves a fitted model to <paramref name="stream"/>; see <see cref="Save(ITransformer, DataViewSchema, string)"/>.</summary>
    public void Save(ITransformer model, DataViewSchema inputSchema, Stream stream) => new ModelWriter(_context).Save(model, inputSchema, stream);

    /// <summary>
    /// Loads a model saved by <see cref="Save(ITransformer, DataViewSchema, string)"/>. Every part is checksummed; a truncated,
    /// corrupted or foreign file throws <see cref="InvalidDataException"/>. Dispose the returned model when done.
    /// </summary>
    /// <param name="path">The model file.</param>
    /// <param name="inputSchema">The schema the model expects as input.</param>
    /// <remarks>
    /// A file written by <see cref="ExportToOnnx(ITransformer, DataViewSchema, string)"/> is recognized by its content and loads
    /// as an <see cref="OnnxScoringTransformer"/> that scores through ONNX Runtime without loading libtorch.
    /// </remarks>
    public ITransformer Load(string path, out DataViewSchema inputSchema) => Onnx.ModelFormat.Load(_context, path, out inputSchema);

    /// <summary>Loads a model from <paramref name="stream"/>; see <see cref="Load(string, out DataViewSchema)"/>.</summary>
    public ITransformer Load(Stream stream, out DataViewSchema inputSchema) => Onnx.ModelFormat.Load(_context, stream, out inputSchema);

    /// <summary>
    /// Exports a fitted model to ONNX (ai.onnx opset <see cref="OnnxExport.Opset"/>, ai.onnx.ml opset
    /// <see cref="OnnxExport.MLOpset"/>): the ML.NET stages before the autoencoder through <c>mlContext.Model.ConvertToOnnx</c>,
    /// then each autoencoder stage's network, score, predicted label and other output columns. Graph inputs are named after the
    /// input columns, graph outputs after the output columns. The result runs in any ONNX runtime
    /// (<c>mlContext.Transforms.ApplyOnnxModel</c>, onnxruntime in Python, Java or JavaScript) and loads back with
    /// <see cref="Load(string, out DataViewSchema)"/> for scoring without libtorch.
    /// </summary>
    /// <param name="model">The fitted model: ML.NET stages (those ConvertToOnnx supports) followed by autoencoder stages.</param>
    /// <param name="inputSchema">Schema of the data the model is applied to (e.g. <c>trainingData.Schema</c>).</param>
    /// <param name="path">Destination file; conventionally <c>*.onnx</c>. Replaced atomically.</param>
    /// <exception cref="NotSupportedException">A stage cannot be exported; the message names it.</exception>
    public void ExportToOnnx(ITransformer model, DataViewSchema inputSchema, string path) => new Onnx.OnnxExporter(_context).Export(model, inputSchema, path);

    /// <summary>Exports a fitted model to ONNX into <paramref name="stream"/>; see <see cref="ExportToOnnx(ITransformer, DataViewSchema, string)"/>.</summary>
    public void ExportToOnnx(ITransformer model, DataViewSchema inputSchema, Stream stream) => new Onnx.OnnxExporter(_context).Export(model, inputSchema, stream);
}
