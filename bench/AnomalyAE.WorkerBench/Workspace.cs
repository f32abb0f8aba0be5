using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using AnomalyAE.DataViews;
using AnomalyAE.Hosting.Records;
using Microsoft.ML;
using StackExchange.Redis;

namespace AnomalyAE.WorkerBench;

/// <summary>A temporary folder with a trained model, a private redis-server, and worker processes on demand.</summary>
internal sealed class Workspace : IDisposable
{
    private static readonly string[] Names = Enumerable.Range(0, 8).Select(i => $"x{i}").ToArray();
    private readonly string _folder = Directory.CreateTempSubdirectory("anomalyae-workerbench-").FullName;
    private readonly Process _redis;
    private readonly string _redisConfiguration;
    private readonly ConnectionMultiplexer _connection;
    private int _run;

    public Workspace()
    {
        TrainModel(Path.Combine(_folder, "model.aeml"));
        int port = FreePort();
        _redis = Process.Start(new ProcessStartInfo("redis-server", ["--port", port.ToString(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]) { RedirectStandardOutput = true })!;
        _redisConfiguration = $"127.0.0.1:{port}";
        _connection = Retry(() => ConnectionMultiplexer.Connect(_redisConfiguration));
    }

    public void Dispose()
    {
        _connection.Dispose();
        if (!_redis.HasExited) _redis.Kill();
        Directory.Delete(_folder, recursive: true);
    }

    public double ScoreInProcess(int records)
    {
        var model = new MLContext(seed: 1).Autoencoders().Load(Path.Combine(_folder, "model.aeml"), out var schema);
        using var release = model as IDisposable;
        var scorer = new RecordBatchScorer(model, schema, "id");
        var rows = Records(records, 0).ToList();
        var clock = Stopwatch.StartNew();
        for (int start = 0; start < rows.Count; start += 512) scorer.Score(rows.GetRange(start, Math.Min(512, rows.Count - start)));
        return records / clock.Elapsed.TotalSeconds;
    }

    public double ThroughRedis(int records, int workers)
    {
        string prefix = $"run{++_run}";
        var db = _connection.GetDatabase();
        Load(db, prefix, records);
        string config = WriteConfig(prefix, "Redis");
        var processes = Enumerable.Range(0, workers).Select(i => StartWorker(config, $"{prefix}-w{i}")).ToList();
        // Steady state: the clock starts at the first committed batch, after process start-up and model loading.
        long first;
        while ((first = db.StreamLength($"{prefix}:out")) == 0) Thread.Sleep(5);
        var clock = Stopwatch.StartNew();
        while (db.StreamLength($"{prefix}:out") < records) Thread.Sleep(5);
        double rate = (records - first) / clock.Elapsed.TotalSeconds;
        Stop(processes);
        return rate;
    }

    public double ThroughInbox(int records, int workers)
    {
        string prefix = $"run{++_run}";
        string config = WriteConfig(prefix, "Inbox");
        string inbox = Directory.CreateDirectory(Path.Combine(_folder, prefix, "inbox")).FullName;
        int files = 10;
        for (int f = 0; f < files; f++)
        {
            var text = new StringBuilder("id," + string.Join(',', Names) + "\n");
            foreach (var record in Records(records / files, f * (records / files)))
                text.Append(record.Id).Append(',').AppendJoin(',', Names.Select(n => record.Fields[n])).Append('\n');
            File.WriteAllText(Path.Combine(inbox, $"part{f:D2}.csv"), text.ToString());
        }
        string done = Path.Combine(_folder, prefix, "done");
        var processes = Enumerable.Range(0, workers).Select(i => StartWorker(config, $"{prefix}-w{i}")).ToList();
        // Steady state: from the first finished file (start-up and model loading behind us) to the last.
        int first;
        while ((first = Directory.Exists(done) ? Directory.GetFiles(done).Length : 0) == 0) Thread.Sleep(5);
        var clock = Stopwatch.StartNew();
        while (Directory.GetFiles(done).Length < files) Thread.Sleep(5);
        double rate = (double)(files - first) * (records / files) / clock.Elapsed.TotalSeconds;
        Stop(processes);
        return rate;
    }

    public void Soak(int records)
    {
        string prefix = $"soak{++_run}";
        var db = _connection.GetDatabase();
        var worker = StartWorker(WriteConfig(prefix, "Redis"), $"{prefix}-w0");
        Console.WriteLine($"Soak: {records} records through one Redis worker, fed in chunks of 100,000; worker memory after each chunk:");
        var clock = Stopwatch.StartNew();
        for (int fed = 0; fed < records; fed += 100_000)
        {
            int chunk = Math.Min(100_000, records - fed);
            Load(db, prefix, chunk, offset: fed);
            while (db.StreamLength($"{prefix}:out") < chunk) Thread.Sleep(50);
            // Everything in the streams is scored and acknowledged: trim them so the next chunk is counted from zero.
            db.StreamTrim($"{prefix}:in", 0);
            db.StreamTrim($"{prefix}:out", 0);
            Console.WriteLine($"  {fed + chunk,9} records: worker RSS {Rss(worker.Id) / 1024,5} MiB, {(fed + chunk) / clock.Elapsed.TotalSeconds:F0} records/s overall");
        }
        Stop([worker]);
    }

    private static long Rss(int pid)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal)) return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]);
        return -1;
    }

    private void Load(IDatabase db, string prefix, int count, int offset = 0)
    {
        foreach (var chunk in Records(count, offset).Chunk(5000))
            Task.WaitAll(chunk.Select(r => (Task)db.StreamAddAsync($"{prefix}:in", [new NameValueEntry("id", r.Id), .. Names.Select(n => new NameValueEntry(n, r.Fields[n]))])).ToArray());
    }

    private string WriteConfig(string prefix, string source)
    {
        var config = new
        {
            AnomalyScoring = new
            {
                ModelPath = "model.aeml", Source = source, BatchSize = 1024, IdleDelay = "00:00:00.020",
                Inbox = new { Directory = prefix },
                Redis = new { Configuration = _redisConfiguration, InputStream = $"{prefix}:in", OutputStream = $"{prefix}:out", AlertStream = $"{prefix}:alerts", DeadLetterStream = $"{prefix}:dead", ProcessedKeyPrefix = $"{prefix}:done", ConsumerGroup = "bench" },
            },
            Serilog = new { MinimumLevel = new { Default = "Warning" } },
        };
        string path = Path.Combine(_folder, $"{prefix}.json");
        File.WriteAllText(path, JsonSerializer.Serialize(config));
        return path;
    }

    private static Process StartWorker(string config, string name)
    {
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "AnomalyAE.Cli.dll"), "worker", "--config", config])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment = { ["AnomalyScoring__Redis__ConsumerName"] = name },
        };
        var process = Process.Start(start)!;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static void Stop(IEnumerable<Process> processes)
    {
        foreach (var process in processes)
        {
            Process.Start("kill", ["-TERM", process.Id.ToString()])!.WaitForExit();
            if (!process.WaitForExit(TimeSpan.FromSeconds(30))) process.Kill(entireProcessTree: true);
        }
    }

    private static IEnumerable<ScoringRecord> Records(int count, int offset)
    {
        var random = new Random(offset + 1);
        for (int i = 0; i < count; i++)
        {
            double a = random.NextDouble() * 2 - 1, b = random.NextDouble() * 2 - 1;
            var fields = Names.Select((n, f) => (n, Math.Tanh(a * (f % 3 - 1) + b * (f % 4 - 1.5)).ToString("F5", CultureInfo.InvariantCulture)))
                .ToDictionary(p => p.n, p => p.Item2);
            fields["id"] = $"r{offset + i}";
            yield return new ScoringRecord($"r{offset + i}", fields, "");
        }
    }

    private static void TrainModel(string path)
    {
        var ml = new MLContext(1);
        var rows = Records(3000, 1_000_000).ToList();
        var builder = new ColumnarDataView.Builder();
        foreach (var name in Names) builder.AddSingle(name, rows.Select(r => float.Parse(r.Fields[name], CultureInfo.InvariantCulture)).ToArray());
        var data = builder.Build();
        var pipeline = ml.Transforms.Concatenate("Features", Names).Append(ml.Transforms.NormalizeMeanVariance("Features"))
            .Append(ml.Autoencoders().Autoencoder(new AutoencoderOptions { HiddenLayers = [32], LatentDimension = 2, Epochs = 10, NumberOfThreads = 1, Seed = 1, EnsembleSize = 1, ScoreKind = AutoencoderScoreKind.ReconstructionError }));
        using var model = pipeline.Fit(data);
        ml.Autoencoders().Save(model, data.Schema, path);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static T Retry<T>(Func<T> action)
    {
        for (int attempt = 0; ; attempt++)
        {
            try { return action(); }
            catch (RedisConnectionException) when (attempt < 50) { Thread.Sleep(100); }
        }
    }
}
