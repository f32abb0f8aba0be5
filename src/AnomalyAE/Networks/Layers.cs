using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace AnomalyAE.Networks;

/// <summary>Builds the dense stacks that encoders and decoders are made of.</summary>
internal static class Layers
{
    /// <summary>
    /// Linear layers through <paramref name="widths"/>; every hidden layer gets batch norm, the activation and
    /// dropout as the spec says, the last layer only <paramref name="lastActivation"/>.
    /// </summary>
    public static Sequential Dense(IReadOnlyList<int> widths, NetworkSpec spec, Generator generator, AutoencoderActivation lastActivation)
    {
        var layers = new List<(string, nn.Module<Tensor, Tensor>)>();
        for (int i = 0; i + 1 < widths.Count; i++)
        {
            layers.Add(($"linear{i}", nn.Linear(widths[i], widths[i + 1])));
            bool last = i + 2 == widths.Count;
            if (last)
            {
                if (lastActivation != AutoencoderActivation.Identity) layers.Add(($"act{i}", Activation(lastActivation)));
                continue;
            }
            if (spec.BatchNormalization) layers.Add(($"norm{i}", nn.BatchNorm1d(widths[i + 1])));
            layers.Add(($"act{i}", Activation(spec.Activation)));
            if (spec.DropoutRate > 0) layers.Add(($"dropout{i}", new SeededDropout(spec.DropoutRate, generator)));
        }
        return nn.Sequential(layers);
    }

    public static nn.Module<Tensor, Tensor> Activation(AutoencoderActivation activation) => activation switch
    {
        AutoencoderActivation.Identity => nn.Identity(),
        AutoencoderActivation.ReLU => nn.ReLU(),
        AutoencoderActivation.LeakyReLU => nn.LeakyReLU(0.01),
        AutoencoderActivation.Tanh => nn.Tanh(),
        AutoencoderActivation.Sigmoid => nn.Sigmoid(),
        AutoencoderActivation.ELU => nn.ELU(),
        AutoencoderActivation.GELU => nn.GELU(),
        _ => throw new ArgumentOutOfRangeException(nameof(activation), activation, "Unknown activation."),
    };

    /// <summary>The activation as a function call: no module is created (module construction is costly in TorchSharp).</summary>
    public static Tensor Apply(AutoencoderActivation activation, Tensor x) => activation switch
    {
        AutoencoderActivation.Identity => x.alias(),
        AutoencoderActivation.ReLU => nn.functional.relu(x),
        AutoencoderActivation.LeakyReLU => nn.functional.leaky_relu(x, 0.01),
        AutoencoderActivation.Tanh => x.tanh(),
        AutoencoderActivation.Sigmoid => x.sigmoid(),
        AutoencoderActivation.ELU => nn.functional.elu(x, 1.0),
        AutoencoderActivation.GELU => nn.functional.gelu(x),
        _ => throw new ArgumentOutOfRangeException(nameof(activation), activation, "Unknown activation."),
    };

    /// <summary>
    /// PyTorch's default Linear initialization, U(−1/√fan_in, 1/√fan_in) for weights and biases, drawn from
    /// <paramref name="generator"/> instead of the global one so that concurrent fits stay reproducible.
    /// </summary>
    public static void InitializeLinearLayers(nn.Module root, Generator generator)
    {
        using var _ = no_grad();
        foreach (var module in root.modules())
        {
            if (module is not Linear linear) continue;
            double bound = 1.0 / Math.Sqrt(linear.in_features);
            Uniform(linear.weight, bound, generator);
            if (linear.bias is not null) Uniform(linear.bias, bound, generator);
        }
    }

    // nn.init.uniform_ ignores its generator argument in TorchSharp 0.107 (same seed, different values), so draw with rand.
    private static void Uniform(Tensor parameter, double bound, Generator generator)
    {
        using var draw = rand(parameter.shape, generator: generator);
        using var scaled = draw * (2 * bound) - bound;
        parameter.copy_(scaled);
    }
}

/// <summary>Dropout drawing its mask from a seeded generator (nn.Dropout uses the process-wide one).</summary>
internal sealed class SeededDropout : nn.Module<Tensor, Tensor>
{
    private readonly double _rate;
    private readonly Generator _generator;

    public SeededDropout(double rate, Generator generator) : base(nameof(SeededDropout))
    {
        _rate = rate;
        _generator = generator;
    }

    public override Tensor forward(Tensor input)
    {
        if (!training || _rate == 0) return input.alias();
        using var keep = full_like(input, 1 - _rate);
        using var mask = bernoulli(keep, _generator);
        return input * mask / (1 - _rate);
    }
}
