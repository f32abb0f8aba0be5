namespace AnomalyAE.TimeSeries.Evaluation.Detectors;

/// <summary>
/// The label-free default threshold the bench applies to every detector, the library's own automatic rule
/// (<c>Contamination = null</c>): median + 3 · 1.4826 · MAD of the training scores. <see cref="RobustZ"/> expresses scores in
/// those units, so the threshold is 3 for every series and NAB's one-threshold-for-all-files optimizer sees comparable scores.
/// </summary>
public static class Thresholds
{
    public const double DefaultZ = 3.0;

    /// <summary>The MAD's factor that makes it a standard deviation for normal data.</summary>
    private const double MadToDeviation = 1.4826;

    /// <summary>
    /// Training scores of median 0 and robust scale 1, for a detector whose scores are already in such units: with them,
    /// <see cref="RobustZ"/> leaves its scores as they are.
    /// </summary>
    public static IReadOnlyList<double> UnitScale { get; } = [-1 / MadToDeviation, 0, 1 / MadToDeviation];

    public static (double Median, double Scale) Robust(double[] trainScores)
    {
        var finite = trainScores.Where(double.IsFinite).Order().ToArray();
        if (finite.Length == 0) return (0, 1);
        double median = Median(finite);
        double mad = Median(finite.Select(s => Math.Abs(s - median)).Order().ToArray());
        double scale = MadToDeviation * mad;
        if (!(scale > 1e-12)) scale = Math.Max(finite.Average(s => Math.Abs(s - median)), 1e-12);
        return (median, scale);
    }

    /// <summary>(score − median) / (1.4826 · MAD) of the training scores; the default threshold is <see cref="DefaultZ"/>.</summary>
    public static double[] RobustZ(double[] scores, double[] trainScores)
    {
        var (median, scale) = Robust(trainScores);
        return scores.Select(s => double.IsNaN(s) ? 0 : (s - median) / scale).ToArray();
    }

    private static double Median(double[] sorted) =>
        sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
}
