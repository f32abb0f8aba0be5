using AnomalyAE.Persistence;
using AnomalyAE.Transforms;
using Google.Protobuf;
using Microsoft.ML;
using Microsoft.ML.Data;
using Onnx;
using DataType = Onnx.TensorProto.Types.DataType;

namespace AnomalyAE.Onnx;

/// <summary>
/// Exports a fitted chain to one ONNX model: the ML.NET stages before the autoencoder through <c>ConvertToOnnx</c>, then each
/// autoencoder stage's network (<see cref="Networks.AutoencoderNetwork.EmitOnnx"/>) and its outputs (<see cref="OutputCatalogue"/>) under the user's column names. Graph inputs are the
/// input columns the outputs depend on; <c>metadata_props</c> records what <see cref="OnnxScoringTransformer"/> needs.
/// </summary>
internal sealed class OnnxExporter(MLContext context)
{
    private const string MLNetOutputSuffix = ".output";

    public void Export(ITransformer model, DataViewSchema inputSchema, Stream stream)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(inputSchema);
        ArgumentNullException.ThrowIfNull(stream);
        var onnx = Build(model, inputSchema);
        onnx.WriteTo(stream);
    }

    public void Export(ITransformer model, DataViewSchema inputSchema, string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var onnx = Build(model, inputSchema);
        // Atomic: the file at path is replaced only once the new one is complete.
        string temporary = path + ".tmp-" + Guid.NewGuid().ToString("N");
        try
        {
            using (var file = File.Create(temporary)) onnx.WriteTo(file);
            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporary)) File.Delete(temporary);
        }
    }

    internal ModelProto Build(ITransformer model, DataViewSchema inputSchema)
    {
        var stages = PipelineStages.Flatten(model, inputSchema);
        if (stages.FirstOrDefault(s => s.Transformer is SequenceAutoencoderTransformer).Transformer is SequenceAutoencoderTransformer sequence)
            throw new NotSupportedException($"A {nameof(SequenceAutoencoderTransformer)} scores each row from the rows of its series before it, which an ONNX graph over rows cannot hold. " +
                $"Export its window model instead, whose input is one window ({sequence.WindowSize} steps × {sequence.InputDimension} channels, time-major): " +
                $"ExportToOnnx(sequence.WindowModel, schema, path) with a schema holding a column '{sequence.WindowModel.FeatureColumnName}' of Vector<Single, {sequence.WindowSize * sequence.InputDimension}>; " +
                "the caller keeps each series' last steps and scores the window ending at each new step.");
        int first = stages.FindIndex(s => s.Transformer is AutoencoderTransformerBase);
        if (first < 0) throw new NotSupportedException("The model has no autoencoder stage; export ML.NET-only pipelines with mlContext.Model.ConvertToOnnx.");
        var later = stages.Skip(first).FirstOrDefault(s => s.Transformer is not AutoencoderTransformerBase).Transformer;
        if (later is not null)
            throw new NotSupportedException($"Stage {later.GetType().Name} comes after an autoencoder stage; ONNX export supports ML.NET stages only before the autoencoder stages.");

        var onnx = ConvertPrefix([.. stages.Take(first).Select(s => s.Transformer)], inputSchema);
        var graph = onnx.Graph;
        var columns = TakeColumnTensors(graph);
        RenameIntermediateTensors(graph, columns);
        var builder = new Networks.OnnxGraph(graph);
        var outputs = new List<OnnxOutputRecord>();
        var ours = stages.Skip(first).Select(s => (AutoencoderTransformerBase)s.Transformer).ToList();
        foreach (var stage in ours) AppendStage(builder, stage, columns, outputs);
        // The stage whose columns a consumer reads (as FindAnomalyDetector chooses it): the last that scores, else the last.
        var detector = ours.LastOrDefault(s => s.ScoreColumnName is not null) ?? ours[^1];
        // The detector's feature column when a prefix stage computed it (e.g. Concatenate): its slot names name the features.
        if (!graph.Input.Any(i => i.Name == detector.FeatureColumnName) && outputs.All(o => o.Name != detector.FeatureColumnName))
        {
            builder.Output(columns[detector.FeatureColumnName], detector.FeatureColumnName, DataType.Float, -1, detector.InputDimension);
            outputs.Add(new OnnxOutputRecord(detector.FeatureColumnName, OnnxScoringTransformer.FeaturesKind));
        }
        Prune(graph);
        foreach (var input in graph.Input) NameBatchDimension(input);

        onnx.ProducerName = "AnomalyAE";
        onnx.ProducerVersion = typeof(OnnxExporter).Assembly.GetName().Version?.ToString() ?? "";
        onnx.DocString = "Anomaly scoring pipeline exported by AnomalyAE (ML.NET stages, then autoencoder stages).";
        var info = new OnnxModelInfo
        {
            FeatureColumnName = detector.FeatureColumnName,
            Threshold = detector.Threshold,
            InputDimension = detector.InputDimension,
            LatentDimension = detector.LatentDimension,
            Outputs = outputs,
            FeatureSlotNames = SlotNames(model.GetOutputSchema(inputSchema).GetColumnOrNull(detector.FeatureColumnName)),
            Threads = detector.Model.Threads,
            BatchSize = detector.Model.BatchSize,
        };
        onnx.MetadataProps.Add(new StringStringEntryProto { Key = OnnxModelInfo.InfoKey, Value = info.ToJson() });
        onnx.MetadataProps.Add(new StringStringEntryProto { Key = OnnxModelInfo.InputSchemaKey, Value = Convert.ToBase64String(SaveSchema(inputSchema)) });
        return onnx;
    }

    /// <summary>The ML.NET stages as ONNX (an empty chain gives the inputs passed through).</summary>
    private ModelProto ConvertPrefix(IReadOnlyList<ITransformer> prefix, DataViewSchema inputSchema)
    {
        var data = new SchemaOnlyDataView(inputSchema);
        byte[] Convert(int count)
        {
            using var buffer = new MemoryStream();
            context.Model.ConvertToOnnx(new TransformerChain<ITransformer>([.. prefix.Take(count)]), data, OnnxExport.Opset, buffer);
            return buffer.ToArray();
        }
        try
        {
            return ModelProto.Parser.ParseFrom(Convert(prefix.Count));
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Name the first stage ML.NET cannot convert.
            for (int count = 1; count < prefix.Count; count++)
            {
                try { Convert(count); }
                catch (Exception) { throw Unsupported(prefix[count - 1], e); }
            }
            throw Unsupported(prefix[^1], e);
        }
    }

    private static NotSupportedException Unsupported(ITransformer stage, Exception cause) =>
        new($"Stage {stage.GetType().Name} cannot be exported to ONNX: ML.NET's ConvertToOnnx does not convert it ({cause.Message}). " +
            "Export a pipeline whose ML.NET stages all support ONNX (normalizers, Concatenate, CopyColumns, …) or apply that stage before scoring.", cause);

    /// <summary>
    /// Removes ML.NET's graph outputs ("column.output", each an Identity of the column's tensor) and returns the tensor of
    /// every column they named.
    /// </summary>
    private static Dictionary<string, string> TakeColumnTensors(GraphProto graph)
    {
        var columns = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var output in graph.Output.ToList())
        {
            var producer = graph.Node.FirstOrDefault(n => n.Output.Contains(output.Name));
            if (output.Name.EndsWith(MLNetOutputSuffix, StringComparison.Ordinal) && producer is { OpType: "Identity" })
            {
                columns[output.Name[..^MLNetOutputSuffix.Length]] = producer.Input[0];
                graph.Node.Remove(producer);
            }
        }
        graph.Output.Clear();
        return columns;
    }

    /// <summary>
    /// Gives ML.NET's intermediate tensors (a Concatenate's output is a tensor named after its column) names under "mlnet.", so
    /// that the output columns can take the column names without two definitions of one name.
    /// </summary>
    private static void RenameIntermediateTensors(GraphProto graph, Dictionary<string, string> columns)
    {
        var inputs = graph.Input.Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
        var renamed = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var name in graph.Node.SelectMany(n => n.Output).Concat(graph.Initializer.Select(i => i.Name)))
            if (!inputs.Contains(name)) renamed[name] = "mlnet.t." + name;
        string Rename(string name) => renamed.TryGetValue(name, out var fresh) ? fresh : name;
        foreach (var node in graph.Node)
        {
            for (int i = 0; i < node.Input.Count; i++) node.Input[i] = Rename(node.Input[i]);
            for (int i = 0; i < node.Output.Count; i++) node.Output[i] = Rename(node.Output[i]);
        }
        foreach (var initializer in graph.Initializer) initializer.Name = Rename(initializer.Name);
        foreach (var column in columns.Keys.ToList()) columns[column] = Rename(columns[column]);
    }

    private static void AppendStage(Networks.OnnxGraph builder, AutoencoderTransformerBase stage, Dictionary<string, string> columns, List<OnnxOutputRecord> outputs)
    {
        if (!columns.TryGetValue(stage.FeatureColumnName, out var features))
            throw new NotSupportedException($"Feature column '{stage.FeatureColumnName}' of {stage.GetType().Name} is not in the ONNX graph: the stage that makes it could not be converted, or its type is not a vector of Single.");
        if (!stage.Model.TryAcquire()) throw new ObjectDisposedException(stage.GetType().Name, Runtime.ScoringModel.DisposedMessage);
        try
        {
            var network = stage.Model.Network.EmitOnnx(builder, features);
            var facts = new OnnxStageFacts(stage.Threshold, stage.Calibration, stage.GetType().Name);
            foreach (var column in stage.Outputs.Columns)
            {
                if (builder.Proto.Input.Any(i => i.Name == column.Name) || outputs.Any(o => o.Name == column.Name))
                    throw new NotSupportedException($"Output column '{column.Name}' of {stage.GetType().Name} has the name of an input or of another output; ONNX names every tensor once. Give the output column another name in the options.");
                var definition = column.Definition;
                var tensor = definition.Onnx(builder, network, facts);
                long[] dims = definition.Width is { } width ? [-1, width(stage.InputDimension, stage.LatentDimension)] : [-1];
                builder.Output(tensor, column.Name, definition.ItemType is BooleanDataViewType ? DataType.Bool : DataType.Float, dims);
                columns[column.Name] = tensor;
                outputs.Add(new OnnxOutputRecord(column.Name, column.Kind.ToString()));
            }
        }
        finally
        {
            stage.Model.Release();
        }
    }

    /// <summary>Keeps only the nodes, initializers and inputs the outputs depend on.</summary>
    private static void Prune(GraphProto graph)
    {
        var needed = new HashSet<string>(graph.Output.Select(o => o.Name), StringComparer.Ordinal);
        var kept = new List<NodeProto>();
        foreach (var node in graph.Node.Reverse())
        {
            if (!node.Output.Any(needed.Contains)) continue;
            kept.Add(node);
            foreach (var input in node.Input) needed.Add(input);
        }
        kept.Reverse();
        graph.Node.Clear();
        graph.Node.AddRange(kept);
        var initializers = graph.Initializer.Where(i => needed.Contains(i.Name)).ToList();
        graph.Initializer.Clear();
        graph.Initializer.AddRange(initializers);
        var inputs = graph.Input.Where(i => needed.Contains(i.Name)).ToList();
        graph.Input.Clear();
        graph.Input.AddRange(inputs);
    }

    /// <summary>ML.NET writes the batch dimension as −1; ONNX's way is a named dimension.</summary>
    private static void NameBatchDimension(ValueInfoProto input)
    {
        var dims = input.Type?.TensorType?.Shape?.Dim;
        if (dims is { Count: > 0 } && dims[0].ValueCase == TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue && dims[0].DimValue < 0)
            dims[0] = new TensorShapeProto.Types.Dimension { DimParam = "N" };
    }

    private static string[]? SlotNames(DataViewSchema.Column? column)
    {
        if (column?.Annotations.Schema.GetColumnOrNull("SlotNames") is null) return null;
        VBuffer<ReadOnlyMemory<char>> names = default;
        column.Value.Annotations.GetValue("SlotNames", ref names);
        return [.. names.DenseValues().Select(n => n.ToString())];
    }

    private byte[] SaveSchema(DataViewSchema inputSchema)
    {
        using var buffer = new MemoryStream();
        context.Model.Save(new TransformerChain<ITransformer>(), inputSchema, buffer);
        return buffer.ToArray();
    }
}
