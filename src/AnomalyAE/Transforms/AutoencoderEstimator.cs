using AnomalyAE.Networks;
using AnomalyAE.Transforms;
using Microsoft.ML;

namespace AnomalyAE;

/// <summary>
/// Trains a dense autoencoder (undercomplete, sparse or denoising, see <see cref="AutoencoderOptions"/>) on a
/// feature column and returns an <see cref="AutoencoderTransformer"/> that scores rows by reconstruction error.
/// Create it with <c>mlContext.Autoencoders().Autoencoder(...)</c>.
/// </summary>
public sealed class AutoencoderEstimator : AutoencoderEstimatorBase<AutoencoderTransformer>
{
    private readonly AutoencoderOptions _options;

    internal AutoencoderEstimator(MLContext context, AutoencoderOptions options)
        : base(context, options, nameof(AutoencoderEstimator))
    {
        _options = options ?? throw new ArgumentNullException(nameof(options));
        OptionsValidation.Validate(options);
    }

    private protected override bool NeedsUnitInterval =>
        _options.Loss == ReconstructionLoss.BinaryCrossEntropy || _options.ErrorMetric == ReconstructionErrorMetric.BinaryCrossEntropy;

    private protected override bool ScoreIsMeanSquaredError => _options.ErrorMetric == ReconstructionErrorMetric.MeanSquaredError;

    private protected override void ValidateOptions() => OptionsValidation.Validate(_options);

    private protected override NetworkSpec CreateSpec() => new AutoencoderSpec
    {
        LatentActivation = _options.LatentActivation,
        Sparsity = _options.Sparsity,
        SparsityWeight = _options.SparsityWeight,
        SparsityTarget = _options.SparsityTarget,
        Noise = _options.Noise,
        NoiseLevel = _options.NoiseLevel,
        ErrorMetric = _options.ErrorMetric,
    };
}
