using Microsoft.ML;

namespace AnomalyAE.Transforms;

/// <summary>
/// Trains the window model of a <see cref="SequenceAutoencoderEstimator"/>: the sequence network kind on a column of windows,
/// through the shared fitting steps (training, ensembles, streaming, threshold, calibration); logs as the sequence estimator.
/// </summary>
internal sealed class WindowAutoencoderEstimator(MLContext context, SequenceAutoencoderOptions options)
    : AutoencoderEstimatorBase<SequenceAutoencoderOptions, AutoencoderTransformer>(context, options, nameof(SequenceAutoencoderEstimator));
