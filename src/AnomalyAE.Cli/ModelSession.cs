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

    /// <summary>Loads a model file, or reads one from standard input when <paramref name="path"/> is <c>-</c>.</summary>
    public ITransformer Load(string path, out DataViewSchema inputSchema)
    {
        if (StandardStreams.Is(path))
        {
            using var buffer = new MemoryStream();   // the container is a zip: it needs a seekable stream
            using (var input = Console.OpenStandardInput()) input.CopyTo(buffer);
            if (buffer.Length == 0) throw new CliException($"{StandardStreams.InputName}: no model file arrived (empty input).");
            buffer.Position = 0;
            return Context.Autoencoders().Load(buffer, out inputSchema);
        }
        if (!File.Exists(path)) throw new CliException($"{path}: model file not found.");
        return Context.Autoencoders().Load(path, out inputSchema);
    }

    /// <summary>Saves a model file (atomically), or writes it to standard output when <paramref name="path"/> is <c>-</c>.</summary>
    public void Save(ITransformer model, DataViewSchema inputSchema, string path)
    {
        if (!StandardStreams.Is(path))
        {
            Context.Autoencoders().Save(model, inputSchema, path);
            return;
        }
        using var buffer = new MemoryStream();   // complete before the first byte goes out
        Context.Autoencoders().Save(model, inputSchema, buffer);
        using var output = Console.OpenStandardOutput();
        buffer.Position = 0;
        buffer.CopyTo(output);
    }

    /// <summary>The CSV columns a model reads: the slot names of its "Features" column, which Concatenate took from them.</summary>
    public static string[] FeatureColumns(ITransformer model, DataViewSchema inputSchema, string modelPath)
    {
        var features = model.GetOutputSchema(inputSchema).GetColumnOrNull("Features");
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
