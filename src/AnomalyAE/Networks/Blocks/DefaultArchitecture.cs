namespace AnomalyAE.Networks;

/// <summary>
/// Layer widths when the options leave them to the data (<c>HiddenLayers</c>/<c>LatentDimension</c> null). The rules and
/// their constants live in <see cref="AutoencoderOptionsBase.Defaults"/>; this is the network builder's view of them.
/// </summary>
internal static class DefaultArchitecture
{
    public const int MaxLatentDimension = AutoencoderOptionsBase.Defaults.MaxLatentDimension;
    public const int HiddenWidthPerLatentUnit = AutoencoderOptionsBase.Defaults.HiddenWidthPerLatentUnit;

    public static int LatentDimension(int features) => AutoencoderOptionsBase.Defaults.LatentDimensionFor(features);

    public static int[] HiddenLayers(int features, int latentDimension) => AutoencoderOptionsBase.Defaults.HiddenLayersFor(features, latentDimension);

    /// <summary>The options' widths, with nulls resolved from <paramref name="features"/>.</summary>
    public static (int[] HiddenLayers, int LatentDimension) Resolve(int features, int[]? hiddenLayers, int? latentDimension)
    {
        int latent = latentDimension ?? LatentDimension(features);
        return (hiddenLayers ?? HiddenLayers(features, latent), latent);
    }
}
