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
    /// The last autoencoder stage of <paramref name="model"/> that emits a score, or null when none does: the stage whose
    /// <see cref="AutoencoderTransformerBase.ScoreColumnName"/> and <see cref="AutoencoderTransformerBase.PredictedLabelColumnName"/>
    /// a scored data view carries.
    /// </summary>
    public static AutoencoderTransformerBase? FindAnomalyDetector(this ITransformer model) =>
        model.GetAutoencoderStages().LastOrDefault(stage => stage.ScoreColumnName is not null);
}
