using AnomalyAE.Transforms;
using Microsoft.ML;

namespace AnomalyAE;

/// <summary>
/// Trains a variational autoencoder on a feature column and returns a <see cref="VariationalAutoencoderTransformer"/>
/// that scores rows (see <see cref="VariationalScoreKind"/>), emits the posterior mean as latent features, and generates
/// new rows. Create it with <c>mlContext.Autoencoders().VariationalAutoencoder(...)</c>.
/// </summary>
public sealed class VariationalAutoencoderEstimator : AutoencoderEstimatorBase<VariationalAutoencoderOptions, VariationalAutoencoderTransformer>
{
    internal VariationalAutoencoderEstimator(MLContext context, VariationalAutoencoderOptions options)
        : base(context, options, nameof(VariationalAutoencoderEstimator))
    {
    }
}
