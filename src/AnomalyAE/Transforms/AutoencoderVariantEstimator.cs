using Microsoft.ML;

namespace AnomalyAE;

/// <summary>
/// Trains the network kind that <typeparamref name="TOptions"/> describe (through
/// <see cref="AutoencoderOptionsBase.CreateSpec"/>), such as a kind of your own, and returns an
/// <see cref="AutoencoderTransformer"/> that scores with it. Create it with <c>mlContext.Autoencoders().Variant(options)</c>;
/// register the kind's spec with <see cref="Networks.NetworkKinds.Register{TSpec}"/> before saving or loading its models.
/// </summary>
/// <typeparam name="TOptions">The options of the kind.</typeparam>
public sealed class AutoencoderVariantEstimator<TOptions> : AutoencoderEstimatorBase<TOptions, AutoencoderTransformer>
    where TOptions : AutoencoderOptionsBase
{
    internal AutoencoderVariantEstimator(MLContext context, TOptions options)
        : base(context, options, $"AutoencoderVariantEstimator<{typeof(TOptions).Name}>")
    {
    }
}
