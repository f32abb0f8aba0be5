using System.Diagnostics;
using AnomalyAE.Datasets;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace AnomalyAE.Bench;

/// <summary>The measurements of our side: fitting, batched scoring through an IDataView, single-row prediction, memory.</summary>
internal static class Measure
{
    public static double Median(int repeats, Func<double> run)
    {
        var values = Enumerable.Range(0, repeats).Select(_ => run()).Order().ToArray();
        return values[values.Length / 2];
    }

    /// <summary>Fits and returns the mean training rows/s of the epochs after the first (as the bare loop reports).</summary>
    public static (AutoencoderTransformerBase Model, double EpochRowsPerSecond) Fit(MLContext ml, IDataView data, bool variational, int epochs, int threads)
    {
        var rates = new List<double>();
        void Configure(AutoencoderOptionsBase o)
        {
            o.HiddenLayers = [128];
            o.LatentDimension = 32;
            o.Epochs = epochs;
            o.BatchSize = 256;
            o.ValidationFraction = 0;
            o.NumberOfThreads = threads;
            o.Seed = 1;
            o.Progress = new Callback<TrainingProgress>(p => rates.Add(p.RowsPerSecond));
        }
        AutoencoderTransformerBase model;
        if (variational)
        {
            var options = new VariationalAutoencoderOptions();
            Configure(options);
            model = ml.Autoencoders().VariationalAutoencoder(options).Fit(data);
        }
        else
        {
            // One network, the math of the bare TorchSharp loop it is compared with.
            var options = new AutoencoderOptions { EnsembleSize = 1, ScoreKind = AutoencoderScoreKind.ReconstructionError };
            Configure(options);
            model = ml.Autoencoders().Autoencoder(options).Fit(data);
        }
        return (model, rates.Skip(epochs > 1 ? 1 : 0).Average());
    }

    /// <summary>
    /// Rows/s of Transform + a cursor reading every Score and PredictedLabel (the lazy view computes in batches of
    /// ScoringBatchSize), or every column the model adds with <paramref name="allColumns"/>.
    /// </summary>
    public static double ScoreRows(ITransformer model, IDataView data, bool allColumns = false)
    {
        var clock = Stopwatch.StartNew();
        var scored = model.Transform(data);
        var columns = allColumns ? scored.Schema.Skip(data.Schema.Count).ToArray() : [scored.Schema["Score"], scored.Schema["PredictedLabel"]];
        using var cursor = scored.GetRowCursor(columns);
        var readers = columns.Select(c => Reader(cursor, c)).ToArray();
        long rows = 0;
        while (cursor.MoveNext())
        {
            foreach (var read in readers) read();
            rows++;
        }
        return rows / clock.Elapsed.TotalSeconds;
    }

    private static Action Reader(DataViewRowCursor cursor, DataViewSchema.Column column)
    {
        if (column.Type == BooleanDataViewType.Instance) { var flag = cursor.GetGetter<bool>(column); bool b = false; return () => flag(ref b); }
        if (column.Type is VectorDataViewType) { var vector = cursor.GetGetter<VBuffer<float>>(column); VBuffer<float> v = default; return () => vector(ref v); }
        var single = cursor.GetGetter<float>(column);
        float f = 0;
        return () => single(ref f);
    }

    /// <summary>Latency percentiles (milliseconds) of PredictionEngine.Predict on single rows, and the bytes each allocates.</summary>
    public static (double P50, double P99, double Bytes) PredictionEngineLatency(MLContext ml, ITransformer model, float[][] rows, int count)
    {
        var engine = ml.Model.CreatePredictionEngine<Row, Prediction>(model, new PredictionEngineOptions { OwnsTransformer = false, InputSchemaDefinition = Rows.Schema() });
        var input = new Row();
        for (int i = 0; i < 200; i++) { input.Features = rows[i]; engine.Predict(input); }
        var latencies = new double[count];
        long allocated = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < count; i++)
        {
            input.Features = rows[i % rows.Length];
            long start = Stopwatch.GetTimestamp();
            engine.Predict(input);
            latencies[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }
        double bytes = (GC.GetAllocatedBytesForCurrentThread() - allocated) / (double)count;
        Array.Sort(latencies);
        return (latencies[count / 2], latencies[(int)(count * 0.99)], bytes);
    }

    /// <summary>Runs <see cref="SoakChild"/> in a new process of this program and prints what it prints.</summary>
    public static void RunSoakChild(string modelPath, long rows, int passRows)
    {
        var start = new ProcessStartInfo("dotnet", [typeof(Measure).Assembly.Location, "--soak-child", modelPath, rows.ToString(), passRows.ToString()]) { RedirectStandardOutput = true };
        using var child = Process.Start(start)!;
        Console.Write(child.StandardOutput.ReadToEnd());
        child.WaitForExit();
    }

    /// <summary>
    /// Loads the model and <paramref name="passRows"/> scoring rows (the input), scores <paramref name="rows"/> rows in passes
    /// through Transform + a cursor reading Score and PredictedLabel, prints memory after some passes and the peak
    /// working set against the input's size.
    /// </summary>
    public static void SoakChild(string modelPath, long rows, int passRows)
    {
        var ml = new MLContext(seed: 1);
        var digits = ImageDataset.ReadPair(Path.Combine(AppContext.BaseDirectory, "data"), "mnist");
        var scoring = Enumerable.Range(0, passRows).Select(i => (float[])digits[i % digits.Length].Features.Clone()).ToArray();
        double inputMiB = scoring.Length * (784 * 4.0 + 32) / (1 << 20);
        var data = Rows.Load(ml, scoring);
        var model = ml.Autoencoders().Load(modelPath, out _);
        int passes = (int)Math.Max(1, rows / passRows);
        Console.WriteLine($"Soak (own process): {passes} passes of {passRows:N0} rows ({passes * (long)passRows:N0} rows) through Transform + cursor (Score, PredictedLabel); input {inputMiB:F0} MiB.");
        var process = Process.GetCurrentProcess();
        var clock = Stopwatch.StartNew();
        for (int pass = 1; pass <= passes; pass++)
        {
            ScoreRows(model, data);
            if (pass == 1 || pass == passes || pass % Math.Max(1, passes / 5) == 0)
            {
                process.Refresh();
                Console.WriteLine($"  after pass {pass,3}: working set {process.WorkingSet64 / (1 << 20),5} MiB, managed heap after a full GC {GC.GetTotalMemory(forceFullCollection: true) / (1 << 20),4} MiB, {passRows * (long)pass / clock.Elapsed.TotalSeconds:F0} rows/s");
            }
        }
        process.Refresh();
        double peak = process.PeakWorkingSet64 / (double)(1 << 20);
        Console.WriteLine($"  peak working set {peak:F0} MiB = input {inputMiB:F0} MiB + {peak - inputMiB:F0} MiB (target: ≤ input + 300 MiB — {(peak - inputMiB <= 300 ? "met" : "MISSED")})");
        (model as IDisposable)?.Dispose();
    }

    private sealed class Callback<T>(Action<T> action) : IProgress<T>
    {
        public void Report(T value) => action(value);
    }
}

/// <summary>Input and output rows of the benchmark.</summary>
internal sealed class Row
{
    public float[] Features { get; set; } = [];
}

internal sealed class Prediction
{
    public float Score { get; set; }
}

internal static class Rows
{
    public static SchemaDefinition Schema()
    {
        var schema = SchemaDefinition.Create(typeof(Row));
        schema["Features"].ColumnType = new VectorDataViewType(NumberDataViewType.Single, 784);
        return schema;
    }

    public static IDataView Load(MLContext ml, IEnumerable<float[]> rows) => ml.Data.LoadFromEnumerable(rows.Select(r => new Row { Features = r }), Schema());
}
