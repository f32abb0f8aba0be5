namespace AnomalyAE.Training;

/// <summary>
/// Peaks over threshold (Siffer, Fouque, Termier and Largouët, "Anomaly Detection in Streams with Extreme Value Theory",
/// KDD 2017): the scores above their <see cref="InitialLevel"/> quantile t are modelled by a generalized Pareto
/// distribution, fitted by maximum likelihood with Grimshaw's reduction to one variable, and the threshold for a risk q
/// is t + σ/ξ · ((q n / n_t)^(−ξ) − 1).
/// </summary>
/// <remarks>
/// The excesses are read from the quantile function of the scores (<see cref="IScoreQuantiles"/>: exact scores, or the
/// sketch of streamed training) at up to <see cref="MaxExcesses"/> evenly spaced levels above t, so exact and streamed
/// training fit the same way. Grimshaw: with x = ξ/σ the likelihood depends on x alone through
/// ξ(x) = mean log(1 + x Y), σ = ξ(x)/x; it is maximized over x on a logarithmic grid on both sides of 0 (and x = 0, the
/// exponential tail), then refined by golden-section search. The shape is kept at ξ ≥ −½, where the maximum likelihood
/// estimator is regular (below it the likelihood grows without bound towards the largest excess).
/// </remarks>
internal static class PeaksOverThreshold
{
    /// <summary>The quantile level above which the tail is fitted (SPOT's initial threshold, 98%).</summary>
    public const double InitialLevel = 0.98;

    /// <summary>The share of scores above the initial level: a risk must be below it.</summary>
    public const double InitialLevelTail = 0.02;

    /// <summary>Fewest distinct excesses a tail is fitted on.</summary>
    public const int MinExcesses = 10;

    /// <summary>Most excesses read from the quantile function.</summary>
    public const int MaxExcesses = 1000;

    private const double MinShape = -0.5;
    private const int GridPoints = 120;

    /// <summary>The tail fitted to <paramref name="scores"/>, or null when fewer than <see cref="MinExcesses"/> distinct scores lie above the initial level.</summary>
    public static GeneralizedParetoTail? Fit(IScoreQuantiles scores)
    {
        double start = scores.Quantiles([InitialLevel])[0];
        long above = (long)Math.Floor(scores.Count * InitialLevelTail);
        int points = (int)Math.Clamp(above, 0, MaxExcesses);
        if (points < MinExcesses) return null;
        var levels = Enumerable.Range(0, points).Select(i => InitialLevel + InitialLevelTail * (i + 0.5) / points).ToArray();
        var excesses = scores.Quantiles(levels).Select(q => q - start).Where(y => y > 0 && double.IsFinite(y)).ToArray();
        if (excesses.Distinct().Count() < MinExcesses) return null;
        var (shape, scale) = FitExcesses(excesses);
        return new GeneralizedParetoTail(start, InitialLevelTail, shape, scale);
    }

    /// <summary>The threshold the tail exceeds with probability <paramref name="risk"/>, not below the tail's start.</summary>
    public static double Threshold(GeneralizedParetoTail tail, double risk) => Math.Max(tail.Start, tail.Quantile(risk));

    /// <summary>The maximum likelihood (ξ, σ) of a generalized Pareto distribution for positive <paramref name="excesses"/>.</summary>
    public static (double Shape, double Scale) FitExcesses(double[] excesses)
    {
        double mean = excesses.Average(), largest = excesses.Max();
        double Shape(double x) => excesses.Average(y => Math.Log(1 + x * y));
        // The profile log-likelihood per excess at x = ξ/σ; x = 0 is the exponential tail (σ = mean).
        double LogLikelihood(double x)
        {
            if (x == 0) return -Math.Log(mean) - 1;
            double shape = Shape(x);
            double scale = shape / x;
            return scale > 0 && double.IsFinite(scale) ? -Math.Log(scale) - shape - 1 : double.NegativeInfinity;
        }

        // The smallest x allowed: ξ(x) = −½ (ξ increases with x), between −1/largest and 0.
        double low = -1 / largest, high = 0;
        for (int i = 0; i < 200; i++)
        {
            double middle = (low + high) / 2;
            if (Shape(middle) < MinShape) low = middle; else high = middle;
        }
        double minimum = high;

        // A grid on both sides of 0: towards the lower bound, and up to x · mean = 10⁴ (ξ ≈ 9, a very heavy tail).
        var grid = new List<double> { 0 };
        for (int i = 0; i < GridPoints; i++)
        {
            double fraction = Math.Pow(10, -8 + 8.0 * i / (GridPoints - 1));   // 1e-8 … 1
            grid.Add(minimum * fraction);
            grid.Add(Math.Pow(10, -8 + 12.0 * i / (GridPoints - 1)) / mean);  // x · mean from 1e-8 to 1e4
        }
        grid.Sort();
        int best = 0;
        var values = grid.Select(LogLikelihood).ToArray();
        for (int i = 1; i < values.Length; i++) if (values[i] > values[best]) best = i;
        double a = grid[Math.Max(0, best - 1)], b = grid[Math.Min(grid.Count - 1, best + 1)];
        double x = GoldenSection(LogLikelihood, a, b, grid[best], values[best]);
        if (x == 0 || Math.Abs(Shape(x)) < 1e-9) return (0, mean);
        double xi = Shape(x);
        return (xi, xi / x);
    }

    /// <summary>The maximum of <paramref name="f"/> on [a, b] by golden-section search; never worse than the starting point.</summary>
    private static double GoldenSection(Func<double, double> f, double a, double b, double start, double startValue)
    {
        double ratio = (Math.Sqrt(5) - 1) / 2;
        double c = b - ratio * (b - a), d = a + ratio * (b - a);
        double fc = f(c), fd = f(d);
        for (int i = 0; i < 100 && Math.Abs(b - a) > 1e-12 * (Math.Abs(a) + Math.Abs(b) + 1e-300); i++)
        {
            if (fc > fd) { b = d; d = c; fd = fc; c = b - ratio * (b - a); fc = f(c); }
            else { a = c; c = d; fc = fd; d = a + ratio * (b - a); fd = f(d); }
        }
        double found = (a + b) / 2;
        return f(found) >= startValue ? found : start;
    }
}
