namespace AnomalyAE.Quality;

/// <summary>Mean and sample standard deviation of one measurement repeated over seeds.</summary>
internal static class SeedSpread
{
    public static (double Mean, double Std) Of(IReadOnlyCollection<double> values)
    {
        double mean = values.Average();
        return (mean, Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / Math.Max(1, values.Count - 1)));
    }
}
