using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace AnomalyAE.Networks;

/// <summary>Builds the dense stacks that encoders and decoders are made of.</summary>
public static class Layers
{
    /// <summary>
    /// Linear layers through <paramref name="widths"/>; every hidden layer gets batch norm, the activation and
    /// dropout as the spec says, the last layer only <paramref name="lastActivation"/>. <see cref="OnnxGraph.Sequence"/>
    /// writes such a stack as ONNX nodes.
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
                if (lastActivation != AutoencoderActivation.Identity) layers.Add(($"act{i}", new ActivationLayer(lastActivation)));
                continue;
            }
            if (spec.BatchNormalization) layers.Add(($"norm{i}", new BatchNormalization(widths[i + 1])));
            layers.Add(($"act{i}", new ActivationLayer(spec.Activation)));
            if (spec.DropoutRate > 0) layers.Add(($"dropout{i}", new SeededDropout(spec.DropoutRate, generator)));
        }
        return nn.Sequential(layers);
    }

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
    internal static void Uniform(Tensor parameter, double bound, Generator generator)
    {
        using var draw = rand(parameter.shape, generator: generator);
        using var stretched = draw.Times(2 * bound);
        using var scaled = stretched.Minus(bound);
        parameter.copy_(scaled);
    }
}
