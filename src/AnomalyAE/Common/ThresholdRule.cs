namespace AnomalyAE;

/// <summary>How the decision threshold (<c>PredictedLabel</c> = <c>Score &gt; Threshold</c>) is fitted on the training scores.</summary>
public enum ThresholdRule
{
    /// <summary>
    /// The (1 − <see cref="AutoencoderOptionsBase.Contamination"/>) quantile; with <c>Contamination</c> null, the automatic rule
    /// (<see cref="Automatic"/>). The default of the tabular estimators.
    /// </summary>
    Contamination,
    /// <summary>Median + 3 · 1.4826 · MAD of the training scores, whatever <see cref="AutoencoderOptionsBase.Contamination"/> says.</summary>
    Automatic,
    /// <summary>
    /// Peaks over threshold (Siffer et al., "Anomaly Detection in Streams with Extreme Value Theory", KDD 2017): a generalized
    /// Pareto tail fitted by maximum likelihood (Grimshaw's reduction) to the training scores above their 0.98 quantile, and
    /// the score that tail exceeds with probability <see cref="AutoencoderOptionsBase.ThresholdRisk"/>. The score's
    /// <c>Probability</c> reads the same tail. The default of <see cref="SequenceAutoencoderOptions"/>.
    /// </summary>
    PeaksOverThreshold,
}
