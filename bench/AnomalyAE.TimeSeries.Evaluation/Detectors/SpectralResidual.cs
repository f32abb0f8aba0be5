using System.Numerics;
using AnomalyAE.TimeSeries.Evaluation.Data;

namespace AnomalyAE.TimeSeries.Evaluation.Detectors;

/// <summary>
/// Spectral Residual, the saliency part of SR-CNN (Ren, Xu, Wang, Yi, Wang, Xu, Tong, Zhang, "Time-Series Anomaly Detection
/// Service at Microsoft", KDD 2019), written from the paper, online:
/// <list type="number">
/// <item>For each row t, the last <see cref="History"/> values up to t (the front padded with the earliest value when fewer
/// are known) are extended by <see cref="Estimated"/> estimated points, all equal to x̄ = x_{s−m+1} + ḡ·m with
/// ḡ = (1/m)·Σ_{i=1..m} (x_s − x_{s−i})/i, m = <see cref="Estimated"/> (the paper's extrapolation, so that t is not the
/// window's last point), for <see cref="WindowSize"/> = 512 points. The paper writes it from the window's last point; we
/// take s = t − 1, as the authors' released code does (it extrapolates from the points before the last), because from
/// s = t a spike at t extrapolates into a plateau of five larger values and t no longer stands out (seen on a synthetic
/// spike: its score fell from the highest of 400 points to below those of many ordinary points).</item>
/// <item>Saliency: A(f) = |FFT(x)|, P(f) = its phase, L(f) = log A(f), R(f) = L(f) − (L ∗ h_q)(f) with h_q the centred mean
/// of q = <see cref="AmplitudeFilter"/> frequencies, S(x) = |IFFT(exp(R(f) + iP(f)))|.</item>
/// <item>Score of t: (S_t − S̄)/S̄, S̄ the mean saliency of the z = <see cref="LocalAverage"/> points before t in the window.</item>
/// </list>
/// It learns nothing from the training rows (they only serve as history and give the training scores for the threshold).
/// It is univariate: a multivariate task is scored on its first channel (MSL: the telemetry <c>value</c>; the other
/// columns are the commands sent).
/// </summary>
public sealed class SpectralResidual : IDetector
{
    public const int WindowSize = 512, Estimated = 5, History = WindowSize - Estimated, AmplitudeFilter = 3, LocalAverage = 21;

    public string Name => "Spectral Residual";
    public string Description =>
        $"ours, from Ren et al. (KDD 2019): online window of {History} points + {Estimated} extrapolated, q = {AmplitudeFilter}, z = {LocalAverage}; first channel only";
    public bool UsesSeed => false;

    public DetectorScores Score(SeriesTask task, int seed)
    {
        var train = task.Channel(task.Train, 0);
        var test = task.Channel(task.Test, 0);
        var history = task.TestFollowsTrain ? train : [];
        return new DetectorScores(Online(history, test), Online([], train));
    }

    /// <summary>The score of every value of <paramref name="values"/>, each from a window ending at it (with <paramref name="history"/> before them).</summary>
    public static double[] Online(double[] history, double[] values)
    {
        var series = history.Concat(values).ToArray();
        var scores = new double[values.Length];
        var window = new double[WindowSize];
        for (int t = 0; t < values.Length; t++)
        {
            int end = history.Length + t; // the scored point, inclusive
            for (int k = 0; k < History; k++) window[k] = series[Math.Max(0, end - History + 1 + k)];
            // Extrapolated from the m points before t: t's own value is what is judged, so it does not steer the estimate.
            double previous = window[History - 2], slope = 0;
            for (int i = 1; i <= Estimated; i++) slope += (previous - window[History - 2 - i]) / i;
            slope /= Estimated;
            double estimate = window[History - 1 - Estimated] + slope * Estimated;
            for (int k = History; k < WindowSize; k++) window[k] = estimate;
            var saliency = Saliency(window);
            double mean = 0;
            for (int k = History - 1 - LocalAverage; k < History - 1; k++) mean += saliency[k];
            mean /= LocalAverage;
            scores[t] = mean > 1e-12 ? (saliency[History - 1] - mean) / mean : 0;
        }
        return scores;
    }

    /// <summary>The saliency map S(x) of the spectral residual.</summary>
    public static double[] Saliency(double[] x)
    {
        int n = x.Length;
        var spectrum = x.Select(v => new Complex(v, 0)).ToArray();
        Fourier.Transform(spectrum);
        var logAmplitude = spectrum.Select(c => Math.Log(Math.Max(c.Magnitude, 1e-8))).ToArray();
        int half = AmplitudeFilter / 2;
        for (int f = 0; f < n; f++)
        {
            double sum = 0;
            int count = 0;
            for (int j = Math.Max(0, f - half); j <= Math.Min(n - 1, f + half); j++) { sum += logAmplitude[j]; count++; }
            double residual = logAmplitude[f] - sum / count;
            double magnitude = spectrum[f].Magnitude;
            var phase = magnitude > 0 ? spectrum[f] / magnitude : Complex.One;
            spectrum[f] = phase * Math.Exp(residual);
        }
        Fourier.Transform(spectrum, inverse: true);
        return spectrum.Select(c => c.Magnitude).ToArray();
    }
}
