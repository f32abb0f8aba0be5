using AnomalyAE.Transforms;

namespace AnomalyAE;

/// <summary>
/// A fitted autoencoder (or ensemble): adds <c>Score</c>, <c>PredictedLabel</c> (<c>Score &gt; Threshold</c>),
/// <c>LatentFeatures</c> and <c>Reconstruction</c> columns under the names the options gave them (see
/// <see cref="AutoencoderTransformerBase.ScoreColumnName"/> and its siblings). Produced by <see cref="AutoencoderEstimator"/>.
/// </summary>
public sealed class AutoencoderTransformer : AutoencoderTransformerBase<AutoencoderTransformer>
{
    internal AutoencoderTransformer(ScoringStage stage, IReadOnlyList<EpochLoss> history) : base(stage, history)
    {
    }

    private protected override AutoencoderTransformer With(ScoringStage stage) => new(stage, TrainingHistory);
}
