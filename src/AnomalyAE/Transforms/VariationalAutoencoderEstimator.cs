using AnomalyAE.Networks;
using AnomalyAE.Transforms;
using Microsoft.ML;

namespace AnomalyAE;

/// <summary>
/// Trains a variational autoencoder on a feature column and returns a <see cref="VariationalAutoencoderTransformer"/>
/// that scores rows (see <see cref="VariationalScoreKind"/>), emits the posterior mean as latent features, and generates
/// new rows. Create it with <c>mlContext.Autoencoders().VariationalAutoencoder(...)</c>.
/// </summary>
public sealed class VariationalAutoencoderEstimator : AutoencoderEstimatorBase<VariationalAutoencoderTransformer>
{
    private readonly VariationalAutoencoderOptions _options;

    internal VariationalAutoencoderEstimator(MLContext context, VariationalAutoencoderOptions options)
        : base(context, options, nameof(VariationalAutoencoderEstimator))
    {
        _options = options ?? throw new ArgumentNullException(nameof(options));
        OptionsValidation.Validate(options);
    }

    private protected override bool NeedsUnitInterval => _options.Loss == ReconstructionLoss.BinaryCrossEntropy;

    private protected override bool ScoreIsMeanSquaredError =>
        _options.ScoreKind == VariationalScoreKind.ReconstructionError && _options.Loss == ReconstructionLoss.MeanSquaredError;

    private protected override void ValidateOptions() => OptionsValidation.Validate(_options);

    private protected override NetworkSpec CreateSpec(int trainingRows) => new VariationalAutoencoderSpec
    {
        Beta = _options.Beta,
        KlWarmupEpochs = _options.KlWarmupEpochs,
        ScoreKind = _options.ScoreKind,
        ScoreSamples = _options.ScoreSamples,
    };

    private protected override IEnumerable<OutputColumn> AdditionalOutputs() =>
        _options.LatentLogVarianceColumnName is { } name ? [new OutputColumn(name, OutputKind.LatentLogVariance)] : [];

}
