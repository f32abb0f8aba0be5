using AnomalyAE.DataViews;
using Microsoft.ML;

namespace AnomalyAE.Tests.Series;

/// <summary>
/// Seeded multivariate series for the sequence tests: every channel a periodic wave of its own phase,
/// x_c(t) = sin(θ + φ_c) + 0.3 sin(2θ + ψ_c) + noise, θ advancing 2π every <see cref="Period"/> steps. Planted pattern anomalies
/// change the series' shape while every row stays on the normal rows' curve (each row's values are normal): the phase runs
/// <see cref="Speed"/> times faster over a segment, or stands still (a stuck sensor).
/// </summary>
public static class SeriesData
{
    public const int Period = 32;
    public const double Speed = 3.0;

    /// <summary>A series of <paramref name="steps"/> rows × <paramref name="channels"/>; the planted segments (start, length) and each row's flag.</summary>
    public static (float[][] Rows, bool[] Planted) Waves(int steps, int channels, int seed, IReadOnlyList<(int Start, int Length, bool Stuck)>? anomalies = null, double noise = 0.03)
    {
        var random = new Random(seed);
        var structure = new Random(77);
        var phase = Enumerable.Range(0, channels).Select(_ => structure.NextDouble() * 2 * Math.PI).ToArray();
        var second = Enumerable.Range(0, channels).Select(_ => structure.NextDouble() * 2 * Math.PI).ToArray();
        var rows = new float[steps][];
        var planted = new bool[steps];
        double theta = random.NextDouble() * 2 * Math.PI;
        for (int t = 0; t < steps; t++)
        {
            var segment = anomalies?.FirstOrDefault(a => t >= a.Start && t < a.Start + a.Length);
            bool inside = segment is { Length: > 0 };
            planted[t] = inside;
            theta += 2 * Math.PI / Period * (inside ? (segment!.Value.Stuck ? 0 : Speed) : 1);
            rows[t] = [.. Enumerable.Range(0, channels).Select(c => (float)(Math.Sin(theta + phase[c]) + 0.3 * Math.Sin(2 * theta + second[c]) + noise * Gaussian(random)))];
        }
        return (rows, planted);
    }

    /// <summary>A data view of one vector column "Features".</summary>
    public static IDataView View(float[][] rows) => new ColumnarDataView.Builder().AddVector("Features", rows[0].Length, rows).Build();

    /// <summary>ROC AUC of <paramref name="scores"/> for the positives against the negatives (others left out); ties count half.</summary>
    public static double Auc(IReadOnlyList<float> scores, Func<int, bool?> label)
    {
        var positives = new List<float>();
        var negatives = new List<float>();
        for (int i = 0; i < scores.Count; i++)
        {
            if (float.IsNaN(scores[i]) || label(i) is not bool l) continue;
            (l ? positives : negatives).Add(scores[i]);
        }
        double wins = 0;
        foreach (var p in positives) foreach (var n in negatives) wins += p > n ? 1 : p == n ? 0.5 : 0;
        return wins / ((double)positives.Count * negatives.Count);
    }

    private static double Gaussian(Random random) => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
