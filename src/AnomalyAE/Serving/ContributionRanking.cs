namespace AnomalyAE;

/// <summary>
/// The order in which a row's feature contributions (the <c>FeatureContributions</c> column) are reported: largest share
/// first, ties in feature order. The worker's alerts and <c>anomalyae score --explain</c> use it.
/// </summary>
public static class ContributionRanking
{
    /// <summary>
    /// Fills <paramref name="top"/> with the indices of the largest of <paramref name="shares"/>, largest first (ties: the
    /// earlier feature); returns how many were filled (the smaller of the two lengths). Allocates nothing for up to 1,024
    /// features: a host calls it per alert.
    /// </summary>
    public static int Largest(ReadOnlySpan<float> shares, Span<int> top)
    {
        int k = Math.Min(top.Length, shares.Length);
        Span<bool> taken = shares.Length <= 1024 ? stackalloc bool[shares.Length] : new bool[shares.Length];
        for (int i = 0; i < k; i++)
        {
            int best = -1;
            for (int f = 0; f < shares.Length; f++)
                if (!taken[f] && (best < 0 || shares[f] > shares[best])) best = f;
            taken[best] = true;
            top[i] = best;
        }
        return k;
    }
}
