using System.Runtime.InteropServices;
using Google.Protobuf;
using Onnx;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace AnomalyAE.Networks;

/// <summary>
/// Writes a network's scoring computation as ONNX nodes, for <see cref="AutoencoderNetwork.EmitOnnx"/>. Each method appends
/// nodes and constants under fresh names and returns the name of its output tensor. The operators are those of opset 12
/// (<c>OnnxExport.Opset</c>). Besides the operators there are helpers for the building blocks the library's networks share:
/// <see cref="Sequence"/>, <see cref="Linear"/> and <see cref="Activation"/>.
/// </summary>
public sealed class OnnxGraph
{
    private readonly GraphProto _graph;
    private int _next;

    internal OnnxGraph(GraphProto graph) => _graph = graph;

    internal GraphProto Proto => _graph;

    /// <summary>A fresh tensor name.</summary>
    public string Name(string hint) => $"ae.{hint}.{_next++}";

    /// <summary>A float constant of shape <paramref name="dims"/> (row-major <paramref name="values"/>).</summary>
    public string Constant(string hint, float[] values, params long[] dims)
    {
        var tensor = new TensorProto { Name = Name(hint), DataType = (int)TensorProto.Types.DataType.Float, RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(values.AsSpan())) };
        tensor.Dims.AddRange(dims);
        _graph.Initializer.Add(tensor);
        return tensor.Name;
    }

    /// <summary>A constant holding a copy of <paramref name="tensor"/>'s values (a weight or a buffer) in its shape.</summary>
    public string Constant(Tensor tensor) => Constant("w", Values(tensor), tensor.shape);

    /// <summary>A float scalar constant.</summary>
    public string Scalar(float value) => Constant("c", [value]);

    /// <summary>An int64 constant (shapes, indices, TopK's k).</summary>
    public string Int64Constant(string hint, params long[] values)
    {
        var tensor = new TensorProto { Name = Name(hint), DataType = (int)TensorProto.Types.DataType.Int64 };
        tensor.Dims.Add(values.Length);
        tensor.Int64Data.AddRange(values);
        _graph.Initializer.Add(tensor);
        return tensor.Name;
    }

    /// <summary>A node of operator <paramref name="op"/> with one output; returns it.</summary>
    public string Node(string op, string[] inputs, params OnnxAttribute[] attributes) => Nodes(op, inputs, 1, attributes)[0];

    /// <summary>A node of operator <paramref name="op"/> with <paramref name="outputs"/> outputs; returns them.</summary>
    public string[] Nodes(string op, string[] inputs, int outputs, params OnnxAttribute[] attributes)
    {
        var node = new NodeProto { OpType = op, Name = Name(op) };
        node.Input.AddRange(inputs);
        var names = Enumerable.Range(0, outputs).Select(_ => Name(op.ToLowerInvariant())).ToArray();
        node.Output.AddRange(names);
        node.Attribute.AddRange(attributes.Select(a => a.Proto));
        _graph.Node.Add(node);
        return names;
    }

    /// <summary>a + b (broadcasting).</summary>
    public string Add(string a, string b) => Node("Add", [a, b]);
    /// <summary>a − b (broadcasting).</summary>
    public string Sub(string a, string b) => Node("Sub", [a, b]);
    /// <summary>a · b element-wise (broadcasting).</summary>
    public string Mul(string a, string b) => Node("Mul", [a, b]);
    /// <summary>a / b element-wise (broadcasting).</summary>
    public string Div(string a, string b) => Node("Div", [a, b]);
    /// <summary>The element-wise maximum.</summary>
    public string Max(string a, string b) => Node("Max", [a, b]);
    /// <summary>x · x.</summary>
    public string Square(string x) => Mul(x, x);

    /// <summary>An operator of one input, such as Relu, Exp, Log, Abs, Neg or Sqrt.</summary>
    public string Unary(string op, string x) => Node(op, [x]);

    /// <summary>x · Wᵀ + b, with W stored [out, in] as torch stores it.</summary>
    public string Gemm(string x, string weight, string bias) => Node("Gemm", [x, weight, bias], OnnxAttribute.Int("transB", 1));

    /// <summary>ReduceSum, ReduceMean, … over <paramref name="axis"/> (opset 12: axes is an attribute).</summary>
    public string Reduce(string op, string x, long axis, bool keepDims = false) =>
        Node(op, [x], OnnxAttribute.Ints("axes", axis), OnnxAttribute.Int("keepdims", keepDims ? 1 : 0));

    /// <summary>x with a dimension of 1 inserted at <paramref name="axis"/>.</summary>
    public string Unsqueeze(string x, long axis) => Node("Unsqueeze", [x], OnnxAttribute.Ints("axes", axis));

    /// <summary>x in <paramref name="shape"/> (−1: inferred).</summary>
    public string Reshape(string x, params long[] shape) => Node("Reshape", [x, Int64Constant("shape", shape)]);

    /// <summary>x clamped to [<paramref name="low"/>, <paramref name="high"/>].</summary>
    public string Clip(string x, float low, float high) => Node("Clip", [x, Scalar(low), Scalar(high)]);

    /// <summary>A linear layer: x · Wᵀ + b.</summary>
    public string Linear(Linear layer, string x) => Gemm(x, Constant(layer.weight!), Constant(layer.bias!));

    /// <summary>An activation as nodes (<see cref="Activations.Emit"/>).</summary>
    public string Activation(AutoencoderActivation activation, string x) => Activations.Emit(this, activation, x);

    /// <summary>
    /// A stack built by <c>Layers.Dense</c> (linear layers, batch normalization, activations, dropout) as nodes; dropout is
    /// the identity at scoring time.
    /// </summary>
    public string Sequence(Sequential stack, string x)
    {
        foreach (var (name, layer) in stack.named_children())
        {
            x = layer switch
            {
                Linear linear => Linear(linear, x),
                BatchNormalization norm => norm.EmitOnnx(this, x),
                ActivationLayer activation => Activation(activation.Kind, x),
                SeededDropout => x,
                _ => throw new NotSupportedException($"ONNX export does not support the layer '{name}' ({layer.GetType().Name})."),
            };
        }
        return x;
    }

    /// <summary>Renames <paramref name="tensor"/> to <paramref name="name"/> through an Identity node, and makes it a graph output.</summary>
    internal void Output(string tensor, string name, TensorProto.Types.DataType type, params long[] dims)
    {
        var node = new NodeProto { OpType = "Identity", Name = Name("output") };
        node.Input.Add(tensor);
        node.Output.Add(name);
        _graph.Node.Add(node);
        _graph.Output.Add(ValueInfo(name, type, dims));
    }

    /// <summary>A tensor's type; a dimension of −1 is the batch dimension, named "N".</summary>
    internal static ValueInfoProto ValueInfo(string name, TensorProto.Types.DataType type, params long[] dims)
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

    /// <summary>A tensor's values as row-major floats.</summary>
    internal static float[] Values(Tensor tensor)
    {
        using var scope = NewDisposeScope();
        return tensor.detach().cpu().to_type(ScalarType.Float32).contiguous().data<float>().ToArray();
    }
}

/// <summary>An attribute of an ONNX node: an integer, a float or a list of integers.</summary>
public readonly struct OnnxAttribute
{
    private OnnxAttribute(AttributeProto proto) => Proto = proto;

    internal AttributeProto Proto { get; }

    /// <summary>An integer attribute.</summary>
    public static OnnxAttribute Int(string name, long value) => new(new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value });

    /// <summary>A float attribute.</summary>
    public static OnnxAttribute Float(string name, float value) => new(new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value });

    /// <summary>A list-of-integers attribute.</summary>
    public static OnnxAttribute Ints(string name, params long[] values)
    {
        var proto = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        proto.Ints.AddRange(values);
        return new(proto);
    }
}
