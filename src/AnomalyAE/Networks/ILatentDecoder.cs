using static TorchSharp.torch;

namespace AnomalyAE.Networks;

/// <summary>
/// A network that decodes points of its latent space into rows and encodes rows into points (a variational
/// autoencoder): the transformer that serves it also decodes, generates and interpolates.
/// </summary>
internal interface ILatentDecoder
{
    /// <summary>Decoder output (after the output activation) for latent points, shape [N, k] → [N, d].</summary>
    Tensor Decode(Tensor latent);

    /// <summary>The point of each row, shape [N, d] → [N, k] (a VAE's posterior mean).</summary>
    Tensor EncodeMean(Tensor batch);
}
