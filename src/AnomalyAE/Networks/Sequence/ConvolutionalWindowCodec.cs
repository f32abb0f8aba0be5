using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace AnomalyAE.Networks;

/// <summary>
/// 1-D convolutions over time. Encoder: per filter count fᵢ of the spec's hidden layers a convolution (kernel 5, stride 2,
/// padding 2: the steps halve, rounding up) and the activation, then a linear layer from the flattened maps to the code.
/// Decoder: a linear layer and the activation back to the last maps, then per convolution, in reverse, the steps doubled
/// (each step repeated, nearest neighbour) and cut to the encoder's length there, and a convolution (kernel 5, stride 1,
/// padding 2) to the previous filter count (the channels at the end), with the activation except after the last.
/// </summary>
internal sealed class ConvolutionalWindowCodec : WindowCodec
{
    private readonly ParameterList down_weights, down_biases, up_weights, up_biases;
    private readonly Linear to_code, from_code;
    private readonly SequenceAutoencoderSpec _spec;
    private readonly int[] _lengths;

    public ConvolutionalWindowCodec(SequenceAutoencoderSpec spec, Generator generator) : base(nameof(ConvolutionalWindowCodec))
    {
        _spec = spec;
        _lengths = spec.ConvolutionLengths;
        int[] filters = spec.HiddenLayers;
        down_weights = new ParameterList();
        down_biases = new ParameterList();
        up_weights = new ParameterList();
        up_biases = new ParameterList();
        for (int i = 0; i < filters.Length; i++)
        {
            int inputs = i == 0 ? spec.Channels : filters[i - 1];
            down_weights.Add(SequenceAutoencoder.UniformParameter([filters[i], inputs, SequenceAutoencoder.Kernel], 1.0 / Math.Sqrt(inputs * SequenceAutoencoder.Kernel), generator));
            down_biases.Add(SequenceAutoencoder.UniformParameter([filters[i]], 1.0 / Math.Sqrt(inputs * SequenceAutoencoder.Kernel), generator));
            up_weights.Add(SequenceAutoencoder.UniformParameter([inputs, filters[i], SequenceAutoencoder.Kernel], 1.0 / Math.Sqrt(filters[i] * SequenceAutoencoder.Kernel), generator));
            up_biases.Add(SequenceAutoencoder.UniformParameter([inputs], 1.0 / Math.Sqrt(filters[i] * SequenceAutoencoder.Kernel), generator));
        }
        int flat = filters[^1] * _lengths[^1];
        to_code = nn.Linear(flat, spec.LatentDimension);
        from_code = nn.Linear(spec.LatentDimension, flat);
        RegisterComponents();
    }

    public override Tensor Encode(Tensor windows)
    {
        var maps = windows.reshape(-1, _spec.WindowSize, _spec.Channels).transpose(1, 2);   // [B, C, W]
        for (int i = 0; i < down_weights.Count; i++)
            maps = Activations.Apply(_spec.Activation, F.conv1d(maps, down_weights[i], down_biases[i], stride: 2, padding: SequenceAutoencoder.Padding));
        return to_code.call(maps.flatten(1));
    }

    public override Tensor Decode(Tensor code)
    {
        int last = down_weights.Count - 1;
        var maps = Activations.Apply(_spec.Activation, from_code.call(code)).reshape(-1, _spec.HiddenLayers[last], _lengths[^1]);
        for (int i = last; i >= 0; i--)
        {
            var doubled = maps.repeat_interleave(2, dim: 2).narrow(2, 0, _lengths[i]);
            maps = F.conv1d(doubled, up_weights[i], up_biases[i], stride: 1, padding: SequenceAutoencoder.Padding);
            if (i > 0) maps = Activations.Apply(_spec.Activation, maps);
        }
        return maps.transpose(1, 2).reshape(-1, _spec.InputDimension);   // [B, W·C], time-major
    }

    public override string EmitEncode(OnnxGraph g, string windows)
    {
        var maps = g.Node("Transpose", [g.Reshape(windows, -1, _spec.WindowSize, _spec.Channels)], OnnxAttribute.Ints("perm", 0, 2, 1));
        for (int i = 0; i < down_weights.Count; i++)
            maps = g.Activation(_spec.Activation, Convolution(g, maps, down_weights[i], down_biases[i], stride: 2));
        return g.Linear(to_code, g.Reshape(maps, -1, (long)_spec.HiddenLayers[^1] * _lengths[^1]));
    }

    public override string EmitDecode(OnnxGraph g, string code)
    {
        int last = down_weights.Count - 1;
        var maps = g.Reshape(g.Activation(_spec.Activation, g.Linear(from_code, code)), -1, _spec.HiddenLayers[last], _lengths[^1]);
        for (int i = last; i >= 0; i--)
        {
            var pair = g.Unsqueeze(maps, 3);
            var doubled = g.Reshape(g.Node("Concat", [pair, pair], OnnxAttribute.Int("axis", 3)), 0, 0, -1);
            var cut = g.Node("Slice", [doubled, g.Int64Constant("start", 0), g.Int64Constant("end", _lengths[i]), g.Int64Constant("axis", 2)]);
            maps = Convolution(g, cut, up_weights[i], up_biases[i], stride: 1);
            if (i > 0) maps = g.Activation(_spec.Activation, maps);
        }
        return g.Reshape(g.Node("Transpose", [maps], OnnxAttribute.Ints("perm", 0, 2, 1)), -1, _spec.InputDimension);
    }

    private static string Convolution(OnnxGraph g, string x, Tensor weight, Tensor bias, long stride) =>
        g.Node("Conv", [x, g.Constant(weight), g.Constant(bias)],
            OnnxAttribute.Ints("kernel_shape", SequenceAutoencoder.Kernel), OnnxAttribute.Ints("strides", stride),
            OnnxAttribute.Ints("pads", SequenceAutoencoder.Padding, SequenceAutoencoder.Padding));
}
