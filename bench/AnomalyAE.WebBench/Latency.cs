using System.Diagnostics;

namespace AnomalyAE.WebBench;

/// <summary>Latency percentiles of a repeated call, in microseconds, after a warm-up.</summary>
internal sealed record Latency(double P50, double P99, double Mean)
{
    public static async Task<Latency> MeasureAsync(int count, Func<int, Task> call)
    {
        for (int i = 0; i < Math.Min(200, count); i++) await call(i);
        var micros = new double[count];
        for (int i = 0; i < count; i++)
        {
            long start = Stopwatch.GetTimestamp();
            await call(i);
            micros[i] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
        }
        Array.Sort(micros);
        return new Latency(micros[count / 2], micros[(int)(count * 0.99)], micros.Average());
    }

    public static Latency Measure(int count, Action<int> call) =>
        MeasureAsync(count, i => { call(i); return Task.CompletedTask; }).GetAwaiter().GetResult();

    public string Format(int rowsPerCall) =>
        $"p50 {P50,9:F1} µs   p99 {P99,9:F1} µs   {rowsPerCall * 1e6 / Mean,9:N0} rows/s";
}
