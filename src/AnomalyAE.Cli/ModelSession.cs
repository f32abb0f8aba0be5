using AnomalyAE.Cli.Tables;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using Serilog;

namespace AnomalyAE.Cli;

/// <summary>An MLContext whose messages reach Serilog, and the model-file operations the commands share.</summary>
internal sealed class ModelSession
{
    public ModelSession(int seed = 1)
    {
        Context = new MLContext(seed);
        Context.Log += Forward;
    }

    public MLContext Context { get; }

    /// <summary>Environment variable holding the base64 model signing key: `train` signs with it, the other commands verify with it.</summary>
    public const string SigningKeyVariable = "ANOMALYAE_MODEL_SIGNING_KEY";

    /// <summary>The signing key from <see cref="SigningKeyVariable"/>, or null when it is not set (never from the command line).</summary>
    public static ModelSigningKey? SigningKey()
    {
        string? text = Environment.GetEnvironmentVariable(SigningKeyVariable);
        if (string.IsNullOrWhiteSpace(text)) return null;
        try
        {
            return ModelSigningKey.FromBase64(text);
        }
        catch (ArgumentException e)
        {
            throw new CliException($"{SigningKeyVariable}: {e.Message}");
        }
    }

    /// <summary>Loads a model file, or reads one from standard input when <paramref name="path"/> is <c>-</c>.</summary>
    public ITransformer Load(string path, out DataViewSchema inputSchema)
    {
        var key = SigningKey();
        if (StandardStreams.Is(path))
        {
            using var buffer = ReadStandardInput();
            return key is null ? Context.Autoencoders().Load(buffer, out inputSchema) : Context.Autoencoders().Load(buffer, key, out inputSchema);
        }
        CheckModelFile(path);
        return key is null ? Context.Autoencoders().Load(path, out inputSchema) : Context.Autoencoders().Load(path, key, out inputSchema);
    }

    // The container is a zip: it needs a seekable stream.
    private static MemoryStream ReadStandardInput()
    {
        var buffer = new MemoryStream();
        using (var input = Console.OpenStandardInput()) input.CopyTo(buffer);
        if (buffer.Length == 0) throw new CliException($"{StandardStreams.InputName}: no model file arrived (empty input).");
        buffer.Position = 0;
        return buffer;
    }

    private static void CheckModelFile(string path)
    {
        if (Directory.Exists(path)) throw new CliException($"{path}: is a directory, not a model file.");
        if (!File.Exists(path)) throw new CliException($"{path}: model file not found.");
    }

    /// <summary>Loads a model file (or standard input for <c>-</c>) to serve: with its scoring contract, verified with the signing key when one is set.</summary>
    public ScoringModelFile LoadForScoring(string path)
    {
        var key = SigningKey();
        if (StandardStreams.Is(path))
        {
            using var buffer = ReadStandardInput();
            return ScoringModelFile.Load(buffer, key, context: Context);
        }
        CheckModelFile(path);
        return ScoringModelFile.Load(path, key, context: Context);
    }

    /// <summary>
    /// Saves a model file (atomically; its folder is made when missing, as <c>score --out</c> makes its own), or writes it
    /// to standard output when <paramref name="path"/> is <c>-</c>.
    /// </summary>
    public void Save(ITransformer model, DataViewSchema inputSchema, string path)
    {
        var key = SigningKey();
        if (!StandardStreams.Is(path))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
            if (key is null) Context.Autoencoders().Save(model, inputSchema, path);
            else Context.Autoencoders().Save(model, inputSchema, path, key);
            return;
        }
        using var buffer = new MemoryStream();   // complete before the first byte goes out
        if (key is null) Context.Autoencoders().Save(model, inputSchema, buffer);
        else Context.Autoencoders().Save(model, inputSchema, buffer, key);
        using var output = Console.OpenStandardOutput();
        buffer.Position = 0;
        buffer.CopyTo(output);
    }

    /// <summary>The CSV columns a model reads: the slot names of its autoencoder's feature column, which Concatenate took from them.</summary>
    public static string[] FeatureColumns(ITransformer model, DataViewSchema inputSchema, string modelPath)
    {
        string featureColumn = model.FindAnomalyDetector()?.FeatureColumnName ?? AutoencoderOptions.Defaults.FeatureColumnName;
        var features = model.GetOutputSchema(inputSchema).GetColumnOrNull(featureColumn);
        VBuffer<ReadOnlyMemory<char>> names = default;
        if (features is null || features.Value.Annotations.Schema.GetColumnOrNull("SlotNames") is null)
            throw new CliException($"{modelPath}: the model does not record its feature columns; it was not trained by 'anomalyae train'.");
        features.Value.Annotations.GetValue("SlotNames", ref names);
        return names.DenseValues().Select(n => n.ToString()).ToArray();
    }

    private static void Forward(object? sender, LoggingEventArgs e)
    {
        bool ours = e.Source.Contains("AutoencoderEstimator", StringComparison.Ordinal);
        switch (e.Kind)
        {
            case ChannelMessageKind.Error: Log.Error("{Source}: {Message}", e.Source, e.RawMessage); break;
            case ChannelMessageKind.Warning: Log.Warning("{Message}", e.RawMessage); break;
            case ChannelMessageKind.Info when ours: Log.Information("{Message}", e.RawMessage); break;
            default: Log.Verbose("{Source}: {Message}", e.Source, e.RawMessage); break;
        }
    }
}
