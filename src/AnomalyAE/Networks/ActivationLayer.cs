using static TorchSharp.torch;

namespace AnomalyAE.Networks;

/// <summary>
/// An activation as a layer of a <c>Sequential</c> stack. One module for every <see cref="AutoencoderActivation"/>, so
/// that the network, its ONNX graph and the functional form (<see cref="Layers.Apply"/>) read the same table; TorchSharp's
/// own <c>LeakyReLU</c> and <c>ELU</c> modules also pass implicit scalars to libtorch (see <see cref="ExplicitScalars"/>).
/// </summary>
internal sealed class ActivationLayer(AutoencoderActivation kind) : nn.Module<Tensor, Tensor>(kind.ToString())
{
    public AutoencoderActivation Kind { get; } = kind;

    public override Tensor forward(Tensor input) => Layers.Apply(Kind, input);
}
