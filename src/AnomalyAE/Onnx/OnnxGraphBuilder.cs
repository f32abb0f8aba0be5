using Google.Protobuf;
using Onnx;

namespace AnomalyAE.Onnx;

/// <summary>
/// Appends nodes and constant tensors to an ONNX graph under fresh names (prefix <c>ae.</c>), one method per operator
/// used by the autoencoder graphs. Every method returns the name of its output tensor. Operators are those of
/// <see cref="OnnxExport.Opset"/>.
/// </summary>
internal sealed class OnnxGraphBuilder(GraphProto graph)
{
    private int _next;

    public GraphProto Graph => graph;

    /// <summary>A fresh tensor name.</summary>
    public string Name(string hint) => $"ae.{hint}.{_next++}";

    /// <summary>A float constant of shape <paramref name="dims"/> (row-major <paramref name="values"/>).</summary>
    public string Constant(string hint, float[] values, params long[] dims)
    {
        var tensor = new TensorProto { Name = Name(hint), DataType = (int)TensorProto.Types.DataType.Float, RawData = ByteString.CopyFrom(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan())) };
        tensor.Dims.AddRange(dims);
        graph.Initializer.Add(tensor);
        return tensor.Name;
    }

    public string Scalar(float value) => Constant("c", [value]);

    /// <summary>An int64 constant (shapes, indices, TopK's k).</summary>
    public string Int64Constant(string hint, params long[] values)
    {
        var tensor = new TensorProto { Name = Name(hint), DataType = (int)TensorProto.Types.DataType.Int64 };
        tensor.Dims.Add(values.Length);
        tensor.Int64Data.AddRange(values);
        graph.Initializer.Add(tensor);
        return tensor.Name;
    }

    /// <summary>A node of <paramref name="op"/>; returns its first output.</summary>
    public string Node(string op, string[] inputs, int outputs = 1, params AttributeProto[] attributes) => NodeOutputs(op, inputs, outputs, attributes)[0];

    public string[] NodeOutputs(string op, string[] inputs, int outputs, params AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = op, Name = Name(op) };
        node.Input.AddRange(inputs);
        var names = Enumerable.Range(0, outputs).Select(_ => Name(op.ToLowerInvariant())).ToArray();
        node.Output.AddRange(names);
        node.Attribute.AddRange(attributes);
        graph.Node.Add(node);
        return names;
    }

    /// <summary>Renames the tensor <paramref name="tensor"/> to <paramref name="name"/> through an Identity node (graph outputs get the user's column names).</summary>
    public void Output(string tensor, string name, TensorProto.Types.DataType type, params long[] dims)
    {
        var node = new NodeProto { OpType = "Identity", Name = Name("output") };
        node.Input.Add(tensor);
        node.Output.Add(name);
        graph.Node.Add(node);
        graph.Output.Add(ValueInfo(name, type, dims));
    }

    /// <summary>A tensor's type; a dimension of −1 is the batch dimension, named "N".</summary>
    public static ValueInfoProto ValueInfo(string name, TensorProto.Types.DataType type, params long[] dims)
    {
        var shape = new TensorShapeProto();
        foreach (long dim in dims)
            shape.Dim.Add(dim < 0 ? new TensorShapeProto.Types.Dimension { DimParam = "N" } : new TensorShapeProto.Types.Dimension { DimValue = dim });
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)type, Shape = shape } },
        };
    }

    public string Add(string a, string b) => Node("Add", [a, b]);
    public string Sub(string a, string b) => Node("Sub", [a, b]);
    public string Mul(string a, string b) => Node("Mul", [a, b]);
    public string Div(string a, string b) => Node("Div", [a, b]);
    public string Max(string a, string b) => Node("Max", [a, b]);
    public string Unary(string op, string x) => Node(op, [x]);

    /// <summary>x · Wᵀ + b, with W stored [out, in] as torch stores it.</summary>
    public string Gemm(string x, string weight, string bias) => Node("Gemm", [x, weight, bias], 1, Int("transB", 1));

    /// <summary>Sum or mean over <paramref name="axis"/> (opset 12: axes is an attribute).</summary>
    public string Reduce(string op, string x, long axis, bool keepDims = false) => Node(op, [x], 1, Ints("axes", axis), Int("keepdims", keepDims ? 1 : 0));

    public string Unsqueeze(string x, long axis) => Node("Unsqueeze", [x], 1, Ints("axes", axis));

    public string Reshape(string x, params long[] shape) => Node("Reshape", [x, Int64Constant("shape", shape)]);

    public string Clip(string x, float low, float high) => Node("Clip", [x, Scalar(low), Scalar(high)]);

    public static AttributeProto Int(string name, long value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    public static AttributeProto Float(string name, float value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value };

    public static AttributeProto Ints(string name, params long[] values)
    {
        var attribute = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        attribute.Ints.AddRange(values);
        return attribute;
    }
}
