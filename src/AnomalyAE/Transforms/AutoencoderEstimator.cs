using Microsoft.ML;

namespace AnomalyAE;

/// <summary>
/// Trains a dense autoencoder (undercomplete, sparse or denoising, or an ensemble of them; see <see cref="AutoencoderOptions"/>)
/// on a feature column and returns an <see cref="AutoencoderTransformer"/> that scores rows by reconstruction error and
/// latent neighbour distance. Create it with <c>mlContext.Autoencoders().Autoencoder(...)</c>.
/// </summary>
public sealed class AutoencoderEstimator : AutoencoderEstimatorBase<AutoencoderOptions, AutoencoderTransformer>
{
    internal AutoencoderEstimator(MLContext context, AutoencoderOptions options)
        : base(context, options, nameof(AutoencoderEstimator))
    {
    }
}
