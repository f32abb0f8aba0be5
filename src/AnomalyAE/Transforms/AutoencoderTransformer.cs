using AnomalyAE.Runtime;
using AnomalyAE.Transforms;

namespace AnomalyAE;

/// <summary>
/// A fitted autoencoder: adds <c>Score</c> (reconstruction error), <c>PredictedLabel</c> (<c>Score &gt; Threshold</c>),
/// <c>LatentFeatures</c> and <c>Reconstruction</c> columns. Produced by <see cref="AutoencoderEstimator"/>.
/// </summary>
public sealed class AutoencoderTransformer : AutoencoderTransformerBase
{
    internal AutoencoderTransformer(ScoringModel model, OutputColumns outputs, string featureColumnName, float threshold, IReadOnlyList<EpochLoss> history)
        : base(model, outputs, featureColumnName, threshold, history)
    {
    }

    /// <summary>A transformer sharing these weights with another decision threshold. Dispose each transformer you create.</summary>
    public AutoencoderTransformer WithThreshold(float threshold)
    {
        return new(ShareModel(threshold), Outputs, FeatureColumnName, threshold, TrainingHistory);
    }
}
