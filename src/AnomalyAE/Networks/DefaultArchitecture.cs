namespace AnomalyAE.Networks;

/// <summary>
/// Layer widths when the options leave them to the data (<c>HiddenLayers</c>/<c>LatentDimension</c> null). The code
/// grows with the square root of the number of features, so it stays well below the input (an autoencoder whose code
/// is as wide as its input can learn the identity and then reconstructs anomalies as well as normal rows).
/// </summary>
internal static class DefaultArchitecture
{
    public const int MaxLatentDimension = 32;
    public const int HiddenWidthPerLatentUnit = 4;

    /// <summary>The power of two nearest to √features, within [1, 32] and below the number of features: 784 → 32, 64 → 8, 30 → 4.</summary>
    public static int LatentDimension(int features)
    {
        int power = (int)Math.Round(Math.Log2(Math.Sqrt(features)));
        int latent = Math.Clamp(1 << Math.Clamp(power, 0, 30), 1, MaxLatentDimension);
        return Math.Max(1, Math.Min(latent, features - 1));
    }

    /// <summary>One hidden layer, four times the code's width: 784 → 128 → 32, 64 → 32 → 8, 30 → 16 → 4.</summary>
    public static int[] HiddenLayers(int latentDimension) => [HiddenWidthPerLatentUnit * latentDimension];

    /// <summary>The options' widths, with nulls resolved from <paramref name="features"/>.</summary>
    public static (int[] HiddenLayers, int LatentDimension) Resolve(int features, int[]? hiddenLayers, int? latentDimension)
    {
        int latent = latentDimension ?? LatentDimension(features);
        return (hiddenLayers ?? HiddenLayers(latent), latent);
    }
}
