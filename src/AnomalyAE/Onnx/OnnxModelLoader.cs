using Google.Protobuf;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.OnnxRuntime;
using AnomalyAE.Transforms;
using Onnx;

namespace AnomalyAE.Onnx;

/// <summary>
/// Loads a model written by <c>ExportToOnnx</c> into ONNX Runtime, never touching libtorch. The file is untrusted: its
/// size is bounded before it is read, the protobuf, the recorded metadata and the graph's inputs and outputs are checked
/// against each other, and every failure is an <see cref="InvalidDataException"/> naming the file and the fix.
/// </summary>
internal sealed class OnnxModelLoader(MLContext context)
{
    /// <summary>Largest ONNX model read (protobuf itself stops at 2 GB).</summary>
    public const long MaxModelBytes = 1L << 30;
    private const int MaxInfoChars = 16 << 20;
    private const int MaxOutputs = 64;

    /// <summary>
    /// True when <paramref name="head"/> (the first bytes of a file) starts like an ONNX model: field 1 of ModelProto, the
    /// IR version, as a varint (tag 0x08). An AnomalyAE model file is a zip and starts with "PK".
    /// </summary>
    public static bool LooksLikeOnnx(ReadOnlySpan<byte> head) => head.Length > 1 && head[0] == 0x08;

    public OnnxScoringTransformer Load(Stream stream, string source, out DataViewSchema inputSchema)
    {
        byte[] bytes = ReadBounded(stream, source);
        ModelProto proto;
        try
        {
            proto = ModelProto.Parser.ParseFrom(bytes);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw Invalid(source, $"it is not a valid ONNX protobuf ({e.Message})", e);
        }
        var info = ReadInfo(proto, source);
        inputSchema = ReadInputSchema(proto, source);
        InferenceSession session;
        try
        {
            using var options = new SessionOptions { IntraOpNumThreads = Math.Clamp(info.Threads, 1, Environment.ProcessorCount), InterOpNumThreads = 1 };
            session = new InferenceSession(bytes, options);
        }
        catch (OnnxRuntimeException e)
        {
            throw Invalid(source, $"ONNX Runtime rejects its graph ({e.Message})", e);
        }
        try
        {
            var model = new OnnxScoringModel(session, info, Inputs(session, source), Outputs(session, info, source));
            return new OnnxScoringTransformer(model);
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    private static byte[] ReadBounded(Stream stream, string source)
    {
        if (stream.CanSeek && stream.Length - stream.Position > MaxModelBytes)
            throw Invalid(source, $"it is {stream.Length - stream.Position:N0} bytes, more than the {MaxModelBytes:N0} an ONNX model may have here");
        using var buffer = new MemoryStream();
        var chunk = new byte[1 << 16];
        int read;
        while ((read = stream.Read(chunk)) > 0)
        {
            if (buffer.Length + read > MaxModelBytes)
                throw Invalid(source, $"it is more than the {MaxModelBytes:N0} bytes an ONNX model may have here");
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }

    private static OnnxModelInfo ReadInfo(ModelProto proto, string source)
    {
        var entry = proto.MetadataProps.FirstOrDefault(p => p.Key == OnnxModelInfo.InfoKey)
            ?? throw Invalid(source, $"it has no '{OnnxModelInfo.InfoKey}' metadata, so it was not exported by AnomalyAE. Score other ONNX models with mlContext.Transforms.ApplyOnnxModel, or export this one with mlContext.Autoencoders().ExportToOnnx");
        if (entry.Value.Length > MaxInfoChars) throw Invalid(source, $"its '{OnnxModelInfo.InfoKey}' metadata is longer than {MaxInfoChars:N0} characters");
        OnnxModelInfo? info;
        try
        {
            info = OnnxModelInfo.FromJson(entry.Value);
        }
        catch (System.Text.Json.JsonException e)
        {
            throw Invalid(source, $"its '{OnnxModelInfo.InfoKey}' metadata is not valid ({e.Message})", e);
        }
        if (info is null) throw Invalid(source, $"its '{OnnxModelInfo.InfoKey}' metadata is empty");
        if (info.Format != OnnxModelInfo.CurrentFormat)
            throw Invalid(source, $"its metadata format is {info.Format}, this version reads {OnnxModelInfo.CurrentFormat}; export it again with this version");
        if (!float.IsFinite(info.Threshold)) throw Invalid(source, $"its threshold {info.Threshold} is not a finite number");
        if (info.InputDimension is < 1 or > Persistence.ModelLimits.Width || info.LatentDimension is < 1 or > Persistence.ModelLimits.Width)
            throw Invalid(source, $"its dimensions ({info.InputDimension} inputs, {info.LatentDimension} latent) are outside 1..{Persistence.ModelLimits.Width}");
        if (info.Outputs is null || info.Outputs.Count is 0 or > MaxOutputs || info.Outputs.Any(o => string.IsNullOrEmpty(o?.Name) || string.IsNullOrEmpty(o.Kind)))
            throw Invalid(source, $"its metadata lists no outputs, more than {MaxOutputs}, or an output without a name or kind");
        if (string.IsNullOrEmpty(info.FeatureColumnName)) throw Invalid(source, "its metadata names no feature column");
        if (info.BatchSize is < 1 or > Persistence.ModelLimits.ScoringBatchSize || (long)info.BatchSize * (3L * info.InputDimension + 2L * info.LatentDimension) > 1L << 27)
            throw Invalid(source, $"its scoring batch size {info.BatchSize} is outside the range this model's width allows");
        return info;
    }

    private DataViewSchema ReadInputSchema(ModelProto proto, string source)
    {
        var entry = proto.MetadataProps.FirstOrDefault(p => p.Key == OnnxModelInfo.InputSchemaKey)
            ?? throw Invalid(source, $"it has no '{OnnxModelInfo.InputSchemaKey}' metadata; export it again with mlContext.Autoencoders().ExportToOnnx");
        try
        {
            using var schemaStream = new MemoryStream(Convert.FromBase64String(entry.Value));
            context.Model.Load(schemaStream, out var schema);
            return schema;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw Invalid(source, $"its '{OnnxModelInfo.InputSchemaKey}' metadata is not a valid input schema ({e.Message})", e);
        }
    }

    /// <summary>Every graph input must be a float tensor [N, width].</summary>
    private static List<OnnxInput> Inputs(InferenceSession session, string source) =>
        [.. session.InputMetadata.Select(input =>
        {
            var meta = input.Value;
            if (meta.ElementType != typeof(float) || meta.Dimensions.Length != 2 || meta.Dimensions[1] < 1)
                throw Invalid(source, $"graph input '{input.Key}' is {meta.ElementType.Name}[{string.Join(", ", meta.Dimensions)}]; scoring with ONNX Runtime reads float tensors [N, width] (Single and Vector<Single> columns)");
            return new OnnxInput(input.Key, meta.Dimensions[1]);
        })];

    /// <summary>Every output the metadata lists, checked against the graph's output of that name.</summary>
    private static List<OnnxOutput> Outputs(InferenceSession session, OnnxModelInfo info, string source) =>
        [.. info.Outputs.Select(record =>
        {
            if (!session.OutputMetadata.TryGetValue(record.Name, out var meta))
                throw Invalid(source, $"its metadata lists output '{record.Name}', which the graph does not have");
            var definition = OutputCatalogue.Named(record.Kind);
            if (definition is null && record.Kind != OnnxScoringTransformer.FeaturesKind)
                throw Invalid(source, $"output '{record.Name}' has kind '{record.Kind}', which this version does not know; update AnomalyAE");
            var type = definition?.TypeFor(info.InputDimension, info.LatentDimension) ?? new VectorDataViewType(NumberDataViewType.Single, info.InputDimension);
            int width = type is VectorDataViewType vector ? vector.Size : 1, rank = type is VectorDataViewType ? 2 : 1;
            var element = type is BooleanDataViewType ? typeof(bool) : typeof(float);
            if (meta.ElementType != element || meta.Dimensions.Length != rank || rank == 2 && meta.Dimensions[1] != width)
                throw Invalid(source, $"graph output '{record.Name}' is {meta.ElementType.Name}[{string.Join(", ", meta.Dimensions)}], but a {record.Kind} column needs {element.Name} with {(rank == 1 ? "one value" : $"{width} values")} per row");
            return new OnnxOutput(record.Name, record.Kind, width, type, KeepsSlotNames: definition?.KeepsSlotNames ?? true);
        })];

    private static InvalidDataException Invalid(string source, string problem, Exception? inner = null) =>
        new($"Cannot load {source} as an ONNX model: {problem}.", inner);
}
