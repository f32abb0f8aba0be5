using Microsoft.ML;

namespace AnomalyAE;

/// <summary>Finds the autoencoder stages of a fitted model, such as the <c>TransformerChain</c> that <c>pipeline.Fit</c> or <c>Load</c> returns.</summary>
public static class AutoencoderStages
{
    /// <summary>
    /// The autoencoder transformers in <paramref name="model"/>, in the order they are applied: <paramref name="model"/>
    /// itself, or the stages of a chain, nested chains included. Empty when there is none.
    /// </summary>
    public static IReadOnlyList<AutoencoderTransformerBase> GetAutoencoderStages(this ITransformer model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var found = new List<AutoencoderTransformerBase>();
        void Visit(ITransformer transformer)
        {
            if (transformer is AutoencoderTransformerBase stage) found.Add(stage);
            else if (transformer is IEnumerable<ITransformer> chain)
                foreach (var inner in chain) Visit(inner);
        }
        Visit(model);
        return found;
    }

    /// <summary>
    /// The last stage of <paramref name="model"/> that emits a score, or null when none does: the stage whose
    /// <see cref="IAnomalyDetector.ScoreColumnName"/> and <see cref="IAnomalyDetector.PredictedLabelColumnName"/> a scored data
    /// view carries. An autoencoder stage (<see cref="AutoencoderTransformerBase"/>) of a model trained here, or the
    /// <see cref="OnnxScoringTransformer"/> of a loaded ONNX model.
    /// </summary>
    public static IAnomalyDetector? FindAnomalyDetector(this ITransformer model)
    {
        ArgumentNullException.ThrowIfNull(model);
        IAnomalyDetector? found = null;
        void Visit(ITransformer transformer)
        {
            if (transformer is IAnomalyDetector { ScoreColumnName: not null } detector) found = detector;
            else if (transformer is IEnumerable<ITransformer> chain)
                foreach (var inner in chain) Visit(inner);
        }
        Visit(model);
        return found;
    }
}

/// <summary>
/// The columns and decision threshold of a stage that scores anomalies: an autoencoder transformer, or the ONNX Runtime
/// transformer of an exported model (<see cref="OnnxScoringTransformer"/>). Code that reads scored data finds the
/// columns here, whichever runtime scores.
/// </summary>
public interface IAnomalyDetector
{
    /// <summary>Rows whose score is above this value get <c>PredictedLabel = true</c>.</summary>
    float Threshold { get; }

    /// <summary>The input column the model reads.</summary>
    string FeatureColumnName { get; }

    /// <summary>Number of features per row.</summary>
    int InputDimension { get; }

    /// <summary>Size of the latent code.</summary>
    int LatentDimension { get; }

    /// <summary>The anomaly score column (Single, higher = more anomalous); null when not emitted.</summary>
    string? ScoreColumnName { get; }

    /// <summary>The <c>Score &gt; Threshold</c> column (Boolean); null when not emitted.</summary>
    string? PredictedLabelColumnName { get; }

    /// <summary>The latent code column; null when not emitted.</summary>
    string? LatentFeaturesColumnName { get; }

    /// <summary>The reconstruction column; null when not emitted.</summary>
    string? ReconstructionColumnName { get; }

    /// <summary>The feature contributions column; null when not emitted.</summary>
    string? FeatureContributionsColumnName { get; }

    /// <summary>The calibrated anomaly probability column; null when not emitted.</summary>
    string? ProbabilityColumnName { get; }

    /// <summary>Every column the stage adds, in schema order.</summary>
    IReadOnlyList<string> OutputColumnNames { get; }
}
