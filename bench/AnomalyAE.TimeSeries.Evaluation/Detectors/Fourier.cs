using System.Numerics;

namespace AnomalyAE.TimeSeries.Evaluation.Detectors;

/// <summary>The discrete Fourier transform: radix-2 for power-of-two lengths, the direct sum otherwise.</summary>
public static class Fourier
{
    /// <summary>In place: X[k] = Σ x[n]·e^(∓2πikn/N) (− forward, + inverse, and the inverse divides by N).</summary>
    public static void Transform(Complex[] x, bool inverse = false)
    {
        int n = x.Length;
        if (n <= 1) return;
        if ((n & (n - 1)) != 0) { Direct(x, inverse); return; }
        for (int i = 1, j = 0; i < n; i++)
        {
            int bit = n >> 1;
            for (; (j & bit) != 0; bit >>= 1) j ^= bit;
            j ^= bit;
            if (i < j) (x[i], x[j]) = (x[j], x[i]);
        }
        for (int length = 2; length <= n; length <<= 1)
        {
            double angle = (inverse ? 2 : -2) * Math.PI / length;
            var step = new Complex(Math.Cos(angle), Math.Sin(angle));
            for (int start = 0; start < n; start += length)
            {
                var w = Complex.One;
                for (int k = 0; k < length / 2; k++)
                {
                    var even = x[start + k];
                    var odd = x[start + k + length / 2] * w;
                    x[start + k] = even + odd;
                    x[start + k + length / 2] = even - odd;
                    w *= step;
                }
            }
        }
        if (inverse) for (int i = 0; i < n; i++) x[i] /= n;
    }

    private static void Direct(Complex[] x, bool inverse)
    {
        int n = x.Length;
        var result = new Complex[n];
        for (int k = 0; k < n; k++)
        {
            var sum = Complex.Zero;
            for (int t = 0; t < n; t++)
            {
                double angle = (inverse ? 2 : -2) * Math.PI * ((long)k * t % n) / n;
                sum += x[t] * new Complex(Math.Cos(angle), Math.Sin(angle));
            }
            result[k] = inverse ? sum / n : sum;
        }
        result.CopyTo(x, 0);
    }
}
