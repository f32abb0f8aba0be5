using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace AnomalyAE.Networks;

/// <summary>
/// A dense stack in the form scoring uses once the weights are final: each linear layer's weight stored transposed and
/// contiguous, so that x · Wᵀ + b is one <c>addmm</c> with no per-call transpose (a single row through a 784-128-32
/// autoencoder scored about 40 % faster than through <c>linear</c>); batch normalization folded into the linear layer
/// before it; dropout dropped; activations applied in place. Read-only once built, so cursors on several threads share it.
/// </summary>
internal sealed class FrozenStack : IDisposable
{
    private readonly List<(Tensor WeightT, Tensor Bias, AutoencoderActivation Activation)> _layers = [];

    private FrozenStack()
    {
    }

    /// <summary>The scoring form of <paramref name="stack"/> (built by <see cref="Layers.Dense"/>).</summary>
    public static FrozenStack Of(Sequential stack)
    {
        var frozen = new FrozenStack();
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();   // holds the temporaries (t() before contiguous(), the folding) until each is read
        foreach (var (name, layer) in stack.named_children())
        {
            switch (layer)
            {
                case Linear linear:
                    frozen._layers.Add((linear.weight!.t().contiguous(), linear.bias!.clone(), AutoencoderActivation.Identity));
                    break;
                case BatchNormalization norm:
                    var (weightT, bias, _) = frozen._layers[^1];
                    var (scale, shift) = norm.AsAffine();
                    frozen._layers[^1] = ((weightT * scale).contiguous(), (bias * scale).Plus(shift), AutoencoderActivation.Identity);
                    break;
                case ActivationLayer activation:
                    frozen._layers[^1] = frozen._layers[^1] with { Activation = activation.Kind };
                    break;
                case SeededDropout:
                    break;
                default:
                    throw new NotSupportedException($"Layer '{name}' ({layer.GetType().Name}) has no scoring form.");
            }
        }
        foreach (var (weightT, bias, _) in frozen._layers)
        {
            weightT.DetachFromDisposeScope();
            bias.DetachFromDisposeScope();
        }
        return frozen;
    }

    /// <summary>The scoring form of one linear layer.</summary>
    public static FrozenStack Of(Linear linear)
    {
        var frozen = new FrozenStack();
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        frozen._layers.Add((linear.weight!.t().contiguous().DetachFromDisposeScope(), linear.bias!.clone().DetachFromDisposeScope(), AutoencoderActivation.Identity));
        return frozen;
    }

    /// <summary>The stack applied to <paramref name="x"/> ([N, in] → [N, out]); call it under no_grad in a dispose scope.</summary>
    public Tensor Forward(Tensor x)
    {
        foreach (var (weightT, bias, activation) in _layers)
            x = Activations.ApplyInPlace(activation, bias.addmm(x, weightT));
        return x;
    }

    public void Dispose()
    {
        foreach (var (weightT, bias, _) in _layers)
        {
            weightT.Dispose();
            bias.Dispose();
        }
        _layers.Clear();
    }
}
