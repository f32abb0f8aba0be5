using AnomalyAE.Networks;
using static TorchSharp.torch;

namespace AnomalyAE.Training;

/// <summary>
/// Reduces a batch's per-row losses to the scalar the optimizer minimizes. With a trimmed fraction, the rows with the
/// largest loss are left out of the mean (a trimmed loss, as in least-trimmed-squares): on training data that holds
/// anomalies, the network is then not pulled towards reconstructing the rows it reconstructs worst, so they keep
/// their high scores.
/// </summary>
internal static class BatchLoss
{
    /// <summary>Mean of the kept rows' losses plus the penalty; <paramref name="trimmedFraction"/> of the rows (rounded down) are left out.</summary>
    public static Tensor Reduce(ObjectiveTerms terms, double trimmedFraction)
    {
        long rows = terms.RowLoss.shape[0];
        long kept = rows - (long)Math.Floor(rows * trimmedFraction);
        var mean = kept >= rows || kept < 1
            ? terms.RowLoss.mean()
            : terms.RowLoss.topk((int)kept, largest: false, sorted: false).values.mean();
        return terms.Penalty is null ? mean : mean.Plus(terms.Penalty);
    }
}
