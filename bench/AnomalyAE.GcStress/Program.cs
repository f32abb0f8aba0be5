using System.Diagnostics;
using AnomalyAE;
using AnomalyAE.Stress;
using Microsoft.ML;
using Microsoft.ML.Data;

// Native lifetimes under garbage-collection pressure (issue 22). Two measurements:
//   --fits N          N fits cycling through every variant and option family, pre-trained models scored concurrently
//                     (Transform, PredictionEngine, ONNX Runtime), a third thread forcing collections and finalizers;
//                     prints runs, failures and minutes (the CI test GcStressTests runs the same workload briefly).
//   --large-fit ROWS  one fit through the public API on a lazily generated LoadFromEnumerable sequence of 32-float rows,
//                     over the memory budget (so streamed), one epoch, defaults otherwise; prints minutes and peak RSS.
//   dotnet run --project bench/AnomalyAE.GcStress -c Release -- --fits 500
//   dotnet run --project bench/AnomalyAE.GcStress -c Release -- --large-fit 12000000
Console.WriteLine($"CPU: {Machine.Cpu()}, {Environment.ProcessorCount} cores");
if (Option("--large-fit") is { } largeRows) return LargeFit.Run(long.Parse(largeRows));

int fits = int.Parse(Option("--fits") ?? "500");
Console.WriteLine($"{fits} fits over {GcStress.Variants.Count} variants, concurrent scoring, forced collections");
var report = GcStress.Run(new GcStress.Settings(fits), Console.Out);
Console.WriteLine(report);
Console.WriteLine($"peak RSS {Machine.PeakRssMb():F0} MB");
return report.FitFailures + report.ScoringFailures == 0 ? 0 : 1;

string? Option(string name)
{
    int i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}

internal static class LargeFit
{
    private const int Features = 32;

    public static int Run(long rows)
    {
        var ml = new MLContext(seed: 1);
        ml.Log += (_, e) => { if (e.Message.Contains("Epoch") || e.Message.Contains("Training")) Console.WriteLine(e.Message); };
        var data = ml.Data.LoadFromEnumerable(Rows(rows), SchemaDefinition.Create(typeof(Row)).Also(s => s[nameof(Row.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, Features)));
        var clock = Stopwatch.StartNew();
        using var monitor = new Timer(_ => Console.WriteLine($"  {clock.Elapsed.TotalMinutes:F1} min, RSS {Machine.RssMb():F0} MB, peak {Machine.PeakRssMb():F0} MB"), null, 60_000, 60_000);
        using var model = ml.Autoencoders().Autoencoder(new AutoencoderOptions { Epochs = 1 }).Fit(data);
        Console.WriteLine($"{rows:N0} rows × {Features}: fit in {clock.Elapsed.TotalMinutes:F1} min, peak RSS {Machine.PeakRssMb():F0} MB (targets: ≤ 30 min, < 1,536 MB)");
        return 0;
    }

    private static IEnumerable<Row> Rows(long rows)
    {
        var random = new Random(1);
        for (long r = 0; r < rows; r++)
        {
            var features = new float[Features];
            double a = random.NextDouble(), b = random.NextDouble();
            for (int i = 0; i < Features; i++) features[i] = (float)Math.Tanh(a * (i % 5 - 2) + b * (i % 3 - 1) + 0.01 * random.NextDouble());
            yield return new Row { Features = features };
        }
    }

    private static T Also<T>(this T value, Action<T> change) { change(value); return value; }

    private sealed class Row
    {
        public float[] Features { get; set; } = [];
    }
}
