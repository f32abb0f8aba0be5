namespace AnomalyAE.Data;

/// <summary>
/// A deterministic, seeded hash of a row's position, as a number uniform in [0, 1): how streamed training chooses
/// validation rows and ensemble members' rows without holding a list of them (a row is chosen when its hash is below
/// the fraction wanted).
/// </summary>
internal static class RowHash
{
    public static double Unit(long position, int seed)
    {
        // SplitMix64's finalizer over the position mixed with the seed.
        ulong z = unchecked((ulong)position + 0x9E3779B97F4A7C15UL * ((ulong)(uint)seed + 1));
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        z ^= z >> 31;
        return (z >> 11) * (1.0 / (1UL << 53));
    }
}
