namespace AnomalyAE.Networks;

/// <summary>
/// Layer widths when the options leave them to the data (<c>HiddenLayers</c>/<c>LatentDimension</c> null): a code of
/// about half the features, at most 32, always narrower than the input (a code as wide as the input can learn the
/// identity). The sweep in bench/QUALITY.md chose it: on images 16 and 32 tie, on 30 tabular features a code of 4
/// lost 0.05 AUC to codes of 16–32.
/// </summary>
internal static class DefaultArchitecture
{
    public const int MaxLatentDimension = 32;
    public const int HiddenWidthPerLatentUnit = 4;

    /// <summary>The power of two nearest to features / 2, within [1, 32] and below the number of features: 784 → 32, 64 → 32, 30 → 16, 20 → 8.</summary>
    public static int LatentDimension(int features) =>
        Math.Max(1, Math.Min(NearestPowerOfTwo.To(features / 2.0, 1, MaxLatentDimension), features - 1));

    /// <summary>
    /// One hidden layer, four times the default code's width (784 → 128, 30 → 64) and at least twice the code's: the
    /// width follows the input, so a small code set by hand (784 → 128 → 2) keeps a capable encoder.
    /// </summary>
    public static int[] HiddenLayers(int features, int latentDimension) =>
        [Math.Max(HiddenWidthPerLatentUnit * LatentDimension(features), 2 * latentDimension)];

    /// <summary>The options' widths, with nulls resolved from <paramref name="features"/>.</summary>
    public static (int[] HiddenLayers, int LatentDimension) Resolve(int features, int[]? hiddenLayers, int? latentDimension)
    {
        int latent = latentDimension ?? LatentDimension(features);
        return (hiddenLayers ?? HiddenLayers(features, latent), latent);
    }
}
