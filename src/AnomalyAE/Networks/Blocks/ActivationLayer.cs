using static TorchSharp.torch;

namespace AnomalyAE.Networks;

/// <summary>
/// An activation as a layer of a <c>Sequential</c> stack: one module for every <see cref="AutoencoderActivation"/>, computed
/// by <see cref="Activations"/>. TorchSharp's own <c>LeakyReLU</c> and <c>ELU</c> modules pass implicit scalars to libtorch
/// (see <see cref="ExplicitScalars"/>).
/// </summary>
internal sealed class ActivationLayer(AutoencoderActivation kind) : nn.Module<Tensor, Tensor>(kind.ToString())
{
    public AutoencoderActivation Kind { get; } = kind;

    public override Tensor forward(Tensor input) => Activations.Apply(Kind, input);
}
