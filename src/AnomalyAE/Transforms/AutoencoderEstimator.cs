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

    private protected override bool ScoreIsMeanSquaredError =>
        _options.ErrorMetric == ReconstructionErrorMetric.MeanSquaredError && _options.ScoreKind == AutoencoderScoreKind.ReconstructionError && _options.EnsembleSize == 1;

    private protected override (int Size, double SubsampleFraction) Ensemble =>
        (_options.EnsembleSize, _options.SubsampleFraction ?? (_options.EnsembleSize > 1 ? DefaultSubsampleFraction : 1.0));

    /// <summary>Each member's share of the rows when <see cref="AutoencoderOptions.SubsampleFraction"/> is null.</summary>
    internal const double DefaultSubsampleFraction = 0.5;

    private protected override void ValidateOptions() => OptionsValidation.Validate(_options);

    private protected override NetworkSpec CreateSpec(int trainingRows) => new AutoencoderSpec
    {
        LatentActivation = _options.LatentActivation,
        Sparsity = _options.Sparsity,
        SparsityWeight = _options.SparsityWeight,
        SparsityTarget = _options.SparsityTarget,
        Noise = _options.Noise,
        NoiseLevel = _options.NoiseLevel,
        ErrorMetric = _options.ErrorMetric,
        ScoreKind = _options.ScoreKind,
        ReferenceRows = _options.ScoreKind == AutoencoderScoreKind.ReconstructionError ? 0 : Math.Min(trainingRows, LatentNeighbors.MaxReferenceRows),
    };
}
