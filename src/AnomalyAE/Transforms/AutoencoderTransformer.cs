using AnomalyAE.Runtime;
using AnomalyAE.Training;
using AnomalyAE.Transforms;

namespace AnomalyAE;

/// <summary>
/// A fitted autoencoder (or ensemble): adds <c>Score</c>, <c>PredictedLabel</c> (<c>Score &gt; Threshold</c>),
/// <c>LatentFeatures</c> and <c>Reconstruction</c> columns under the names the options gave them (see
/// <see cref="AutoencoderTransformerBase.ScoreColumnName"/> and its siblings). Produced by <see cref="AutoencoderEstimator"/>.
/// </summary>
public sealed class AutoencoderTransformer : AutoencoderTransformerBase<AutoencoderTransformer>
{
    internal AutoencoderTransformer(ScoringModel model, OutputColumns outputs, string featureColumnName, float threshold, ScoreCalibration? calibration,
        IReadOnlyList<EpochLoss> history)
        : base(model, outputs, featureColumnName, threshold, calibration, history)
    {
    }

    private protected override AutoencoderTransformer With(ScoringModel model, float threshold) =>
        new(model, Outputs, FeatureColumnName, threshold, Calibration, TrainingHistory);
}
