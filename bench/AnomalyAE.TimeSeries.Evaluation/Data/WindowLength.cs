namespace AnomalyAE.TimeSeries.Evaluation.Data;

/// <summary>
/// The sliding-window length of a series: its dominant period, found from the training rows alone (no labels, no test
/// rows), as TSB-AD chooses its window (Liu &amp; Paparrizos, NeurIPS 2024): the lag of the highest local maximum of the
/// autocorrelation of the first channel among lags <see cref="MinimumLag"/>…<see cref="MaximumLag"/> (at most a third of
/// the rows); <see cref="Fallback"/> (at most half the rows) when there is no such maximum or its autocorrelation is below 0.1.
/// </summary>
public static class WindowLength
{
    public const int MinimumLag = 8, MaximumLag = 300, Fallback = 100;

    public static int Choose(double[] train)
    {
        int n = train.Length, maxLag = Math.Min(MaximumLag, n / 3);
        int fallback = Math.Clamp(Fallback, 1, Math.Max(1, n / 2));
        if (maxLag <= MinimumLag) return fallback;
        double mean = train.Average();
        double variance = train.Sum(v => (v - mean) * (v - mean));
        if (variance <= 0) return fallback;
        var acf = new double[maxLag + 2];
        for (int lag = 0; lag < acf.Length && lag < n; lag++)
        {
            double sum = 0;
            for (int t = lag; t < n; t++) sum += (train[t] - mean) * (train[t - lag] - mean);
            acf[lag] = sum / variance;
        }
        int best = -1;
        for (int lag = MinimumLag; lag <= maxLag; lag++)
            if (acf[lag] > acf[lag - 1] && acf[lag] >= acf[lag + 1] && acf[lag] >= 0.1 && (best < 0 || acf[lag] > acf[best])) best = lag;
        return best < 0 ? fallback : best;
    }
}
