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

    /// <summary>Rows/s of Transform + a cursor reading every Score (the lazy view computes in batches of ScoringBatchSize).</summary>
    public static double ScoreRows(ITransformer model, IDataView data)
    {
        var clock = Stopwatch.StartNew();
        var scored = model.Transform(data);
        var column = scored.Schema["Score"];
        using var cursor = scored.GetRowCursor([column]);
        var getter = cursor.GetGetter<float>(column);
        float score = 0, sum = 0;
        long rows = 0;
        while (cursor.MoveNext())
        {
            getter(ref score);
            sum += score;
            rows++;
        }
        return rows / clock.Elapsed.TotalSeconds;
    }

    /// <summary>Latency percentiles (milliseconds) of PredictionEngine.Predict on single rows.</summary>
    public static (double P50, double P99) PredictionEngineLatency(MLContext ml, ITransformer model, float[][] rows, int count)
    {
        var engine = ml.Model.CreatePredictionEngine<Row, Prediction>(model, new PredictionEngineOptions { OwnsTransformer = false, InputSchemaDefinition = Rows.Schema() });
        var input = new Row();
        for (int i = 0; i < 200; i++) { input.Features = rows[i]; engine.Predict(input); }
        var latencies = new double[count];
        for (int i = 0; i < count; i++)
        {
            input.Features = rows[i % rows.Length];
            long start = Stopwatch.GetTimestamp();
            engine.Predict(input);
            latencies[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }
        Array.Sort(latencies);
        return (latencies[count / 2], latencies[(int)(count * 0.99)]);
    }

    /// <summary>Scores <paramref name="rows"/> rows in passes over <paramref name="data"/> and prints memory after every pass.</summary>
    public static void Soak(ITransformer model, IDataView data, long passRows, long rows)
    {
        int passes = (int)Math.Max(1, rows / passRows);
        Console.WriteLine($"Soak: {passes} passes of {passRows} rows ({passes * passRows} rows) through Transform + cursor.");
        var process = Process.GetCurrentProcess();
        var clock = Stopwatch.StartNew();
        for (int pass = 1; pass <= passes; pass++)
        {
            ScoreRows(model, data);
            if (pass == 1 || pass == passes || pass % Math.Max(1, passes / 5) == 0)
            {
                process.Refresh();
                Console.WriteLine($"  after pass {pass,3}: working set {process.WorkingSet64 / (1 << 20),5} MiB, managed heap after a full GC {GC.GetTotalMemory(forceFullCollection: true) / (1 << 20),4} MiB, {passRows * pass / clock.Elapsed.TotalSeconds:F0} rows/s");
            }
        }
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
