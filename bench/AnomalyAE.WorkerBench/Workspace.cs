using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using AnomalyAE.DataViews;
using Microsoft.ML.Data;
using Microsoft.ML;
using StackExchange.Redis;

namespace AnomalyAE.WorkerBench;

/// <summary>A temporary folder with a trained model, a private redis-server (started when a Redis run first needs it), and worker processes on demand.</summary>
internal sealed partial class Workspace : IDisposable
{
    private static readonly string[] Names = Enumerable.Range(0, 8).Select(i => $"x{i}").ToArray();
    private readonly string _folder = Directory.CreateTempSubdirectory("anomalyae-workerbench-").FullName;
    private Process? _redis;
    private string _redisConfiguration = "";
    private ConnectionMultiplexer? _connection;
    private int _run;

    public Workspace(int seriesWindow)
    {
        TrainModel(Path.Combine(_folder, "model.aeml"));
        _seriesWindow = seriesWindow;
    }

    public void Dispose()
    {
        _connection?.Dispose();
        if (_redis is { HasExited: false }) _redis.Kill();
        Directory.Delete(_folder, recursive: true);
    }

    private ConnectionMultiplexer Redis()
    {
        if (_connection is not null) return _connection;
        int port = FreePort();
        _redis = Process.Start(new ProcessStartInfo("redis-server", ["--port", port.ToString(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]) { RedirectStandardOutput = true })!;
        _redisConfiguration = $"127.0.0.1:{port}";
        return _connection = Retry(() => ConnectionMultiplexer.Connect(_redisConfiguration));
    }

    /// <summary>Records/s of the dictionary-per-record scorer the worker had before (median of 3 runs).</summary>
    public double ScoreWithDictionaries(int records)
    {
        var model = new MLContext(seed: 1).Autoencoders().Load(Path.Combine(_folder, "model.aeml"), out var schema);
        using var release = model as IDisposable;
        var detector = model.FindAnomalyDetector()!;
        var scorer = new DictionaryScorer(model, schema, detector.ScoreColumnName!, detector.PredictedLabelColumnName!);
        var rows = Records(records, 0).Select(r => Names.Select((n, i) => (n, r.Values[i])).Append(("id", r.Id)).ToDictionary(p => p.Item1, p => p.Item2)).ToList();
        return Median(() =>
        {
            var clock = Stopwatch.StartNew();
            for (int start = 0; start < rows.Count; start += 1024) scorer.Score(rows.GetRange(start, Math.Min(1024, rows.Count - start)));
            return records / clock.Elapsed.TotalSeconds;
        });
    }

    /// <summary>
    /// Records/s of scoring records held as text the way the worker does, through the public serving contract: fields parsed
    /// straight into the contract's record buffers, one Transform per batch of 1,024 (median of 3 runs).
    /// </summary>
    public double ScoreInProcess(int records)
    {
        using var file = ScoringModelFile.Load(Path.Combine(_folder, "model.aeml"));
        var contract = file.Contract;
        var rows = Records(records, 0).ToList();
        var fields = contract.RecordSchema.Select(c => c.Name == "id" ? -1 : Array.IndexOf(Names, c.Name)).ToArray();
        return Median(() =>
        {
            var clock = Stopwatch.StartNew();
            for (int start = 0; start < records; start += 1024)
            {
                int count = Math.Min(1024, records - start);
                var buffers = contract.CreateRecordBuffers(count);
                for (int c = 0; c < fields.Length; c++)
                {
                    if (contract.RecordSchema[c].Type is TextDataViewType)
                        for (int r = 0; r < count; r++) buffers.Texts(c)[r] = rows[start + r].Id;
                    else
                        for (int r = 0; r < count; r++) buffers.Numbers(c)[r] = float.Parse(rows[start + r].Values[fields[c]], NumberStyles.Float, CultureInfo.InvariantCulture);
                }
                buffers.Rows = count;
                var scored = file.Model.Transform(buffers);
                using var cursor = scored.GetRowCursor([scored.Schema[contract.ScoreColumnName], scored.Schema[contract.PredictedLabelColumnName]]);
                var score = cursor.GetGetter<float>(scored.Schema[contract.ScoreColumnName]);
                float value = 0;
                while (cursor.MoveNext()) score(ref value);
            }
            return records / clock.Elapsed.TotalSeconds;
        });
    }

    private static double Median(Func<double> run)
    {
        run(); // warm-up
        var rates = Enumerable.Range(0, 3).Select(_ => run()).Order().ToList();
        return rates[1];
    }

    public double ThroughRedis(int records, int workers) => ThroughRedis(records, workers, (db, prefix) => Load(db, prefix, records), "model.aeml");

    /// <summary>Records/s of <paramref name="workers"/> worker processes with <paramref name="model"/> over the records <paramref name="load"/> puts in a fresh stream.</summary>
    private double ThroughRedis(int records, int workers, Action<IDatabase, string> load, string model)
    {
        string prefix = $"run{++_run}";
        var db = Redis().GetDatabase();
        load(db, prefix);
        string config = WriteConfig(prefix, "Redis", model);
        var processes = Enumerable.Range(0, workers).Select(i => StartWorker(config, $"{prefix}-w{i}")).ToList();
        double rate = SteadyRate(db, prefix, records);
        Stop(processes);
        return rate;
    }

    // The bare loop's commit. It mirrors the worker's commit script (RedisStreamChannel.CommitScript) for records scored
    // normal: per entry XACK, and XADD of the result (id, entry, score, label, worker, and for sequence records the series
    // and step) when that XACK removed the entry from the group's pending list. No alert or dead-letter branch. KEYS:
    // input, output. ARGV: group, worker, '1' for sequence records, then per record: entry id, record id, score, and for
    // sequence records series and step. Returns the count written.
    private const string BareCommitScript = """
        local group, worker, series, written = ARGV[1], ARGV[2], ARGV[3] == '1', 0
        local width = series and 5 or 3
        for i = 4, #ARGV, width do
          if redis.call('XACK', KEYS[1], group, ARGV[i]) == 1 then
            if series then
              redis.call('XADD', KEYS[2], '*', 'id', ARGV[i + 1], 'entry', ARGV[i], 'Score', ARGV[i + 2], 'PredictedLabel', 'false', 'worker', worker, 'series', ARGV[i + 3], 'step', ARGV[i + 4])
            else
              redis.call('XADD', KEYS[2], '*', 'id', ARGV[i + 1], 'entry', ARGV[i], 'Score', ARGV[i + 2], 'PredictedLabel', 'false', 'worker', worker)
            end
            written = written + 1
          end
        end
        return written
        """;

    /// <summary>
    /// Records/s of the Redis transport alone, the ceiling for the Redis worker rows: a loop in this process, on its own
    /// connection, making the worker's calls per batch with no scoring — XREADGROUP of 1,024 entries through the
    /// consumer group, then one commit script (XACK + XADD of a result with a constant score per entry, and a sequence
    /// record's series and step). Fed and timed
    /// as <see cref="ThroughRedis"/> is. Unlike the worker, it does not read the next batch while it commits this one.
    /// </summary>
    public double BareRedisTransport(int records) => BareRedisTransport(records, (db, prefix) => Load(db, prefix, records));

    private double BareRedisTransport(int records, Action<IDatabase, string> load)
    {
        string prefix = $"run{++_run}";
        var db = Redis().GetDatabase();
        load(db, prefix);
        using var connection = ConnectionMultiplexer.Connect(_redisConfiguration);
        var loop = Task.Factory.StartNew(() => BareLoop(connection.GetDatabase(), prefix, records), TaskCreationOptions.LongRunning);
        double rate = SteadyRate(db, prefix, records, loop);
        loop.Wait();
        return rate;
    }

    private static void BareLoop(IDatabase db, string prefix, int records)
    {
        RedisKey input = Key(prefix, "in");
        RedisKey[] keys = [input, Key(prefix, "out")];
        RedisValue group = "bench", consumer = $"{prefix}-bare", score = "0.123456789";
        db.StreamCreateConsumerGroup(input, group, "0-0");
        for (int committed = 0; committed < records;)
        {
            var entries = db.StreamReadGroup(input, group, consumer, ">", 1024);
            if (entries.Length == 0) throw new InvalidOperationException($"The input stream ran dry after {committed} of {records} records.");
            bool series = !entries[0]["series"].IsNull;
            var arguments = new List<RedisValue>(3 + 5 * entries.Length) { group, consumer, series ? "1" : "0" };
            foreach (var entry in entries)
            {
                arguments.AddRange([entry.Id, entry["id"], score]);
                if (series) arguments.AddRange([entry["series"], entry["t"]]);
            }
            committed += (int)db.ScriptEvaluate(BareCommitScript, keys, [.. arguments]);
        }
    }

    /// <summary>
    /// Steady-state records/s into the output stream: the clock starts once a tenth of the <paramref name="records"/> are
    /// committed (after process start-up, model loading and the JIT's first tiers for a worker; the same for every row) and
    /// stops when all results are there.
    /// </summary>
    private static double SteadyRate(IDatabase db, string prefix, int records, Task? loop = null)
    {
        long first;
        while ((first = db.StreamLength(Key(prefix, "out"))) < records / 10) Wait(loop);
        var clock = Stopwatch.StartNew();
        while (db.StreamLength(Key(prefix, "out")) < records) Wait(loop);
        return (records - first) / clock.Elapsed.TotalSeconds;

        static void Wait(Task? loop)
        {
            if (loop is { IsFaulted: true }) loop.GetAwaiter().GetResult(); // its exception, not an endless wait
            Thread.Sleep(5);
        }
    }

    public double ThroughInbox(int records, int workers)
    {
        string prefix = $"run{++_run}";
        string config = WriteConfig(prefix, "Inbox");
        string inbox = Directory.CreateDirectory(Path.Combine(_folder, prefix, "inbox")).FullName;
        int files = 10;
        for (int f = 0; f < files; f++)
        {
            // Written in place, then marked complete: the hand-off the README gives for that, claimed and finished at once.
            File.WriteAllText(Path.Combine(inbox, $"part{f:D2}.csv"), Csv(records / files, f * (records / files)));
            File.WriteAllText(Path.Combine(inbox, $"part{f:D2}.csv.ready"), "");
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
        var db = Redis().GetDatabase();
        var worker = StartWorker(WriteConfig(prefix, "Redis"), $"{prefix}-w0");
        Console.WriteLine($"Soak: {records} records through one Redis worker, fed in chunks of 100,000; worker memory after each chunk:");
        var clock = Stopwatch.StartNew();
        for (int fed = 0; fed < records; fed += 100_000)
        {
            int chunk = Math.Min(100_000, records - fed);
            Load(db, prefix, chunk, offset: fed);
            while (db.StreamLength(Key(prefix, "out")) < chunk) Thread.Sleep(50);
            // Everything in the streams is scored and acknowledged: trim them so the next chunk is counted from zero.
            db.StreamTrim(Key(prefix, "in"), 0);
            db.StreamTrim(Key(prefix, "out"), 0);
            Console.WriteLine($"  {fed + chunk,9} records: worker RSS {Rss(worker.Id) / 1024,5} MiB, {(fed + chunk) / clock.Elapsed.TotalSeconds:F0} records/s overall");
        }
        Stop([worker]);
    }

    /// <summary>
    /// Two Redis workers share a stream fed in chunks; <paramref name="kills"/> times the victim is killed with kill -9
    /// while it holds entries and a new victim (a new consumer name) is started, so the dead one's entries are
    /// reclaimed with XAUTOCLAIM. Then every record must be in the output exactly once.
    /// </summary>
    public void KillTest(int records, int kills)
    {
        int chunk = records / (kills + 1);
        var (output, held) = KillRun("model.aeml", kills, (db, prefix, part) => Load(db, prefix, part < kills ? chunk : records - kills * chunk, offset: part * chunk), records);
        Console.WriteLine($"Kill test: {records} records, 2 Redis workers, {kills} × kill -9 of one of them ({held} while it held a batch, reclaimed by XAUTOCLAIM after 2 s):");
        Console.WriteLine($"  {Counts(output.Select(e => (string)e["id"]!).ToList(), records)}");
    }

    /// <summary>
    /// The inbox under kill -9: two workers on one inbox; <paramref name="kills"/> times two files of records are dropped in,
    /// the victim is killed once it holds a file (claimed, not finished), and a new victim started; a dead worker's files
    /// are taken over after its lease times out (2 s here) and go on from their checkpoints. Counts the ids in the outputs.
    /// </summary>
    public void InboxKillTest(int records, int kills)
    {
        string prefix = $"inboxkill{++_run}";
        string config = WriteConfig(prefix, "Inbox", inboxLeaseTimeout: "00:00:02");
        string root = Path.Combine(_folder, prefix);
        string inbox = Directory.CreateDirectory(Path.Combine(root, "inbox")).FullName;
        int files = 2 * kills + 1, perFile = records / files; // two files per round: each worker claims one
        void Drop(int f)
        {
            string temporary = Path.Combine(inbox, $".part{f:D2}.csv.part");
            File.WriteAllText(temporary, Csv(perFile, f * perFile));
            File.Move(temporary, Path.Combine(inbox, $"part{f:D2}.csv"));
            File.WriteAllText(Path.Combine(inbox, $"part{f:D2}.csv.ready"), ""); // complete: claimed at once, no settle time
        }
        string? FolderOf(Process worker)
        {
            string processing = Path.Combine(root, "processing");
            return Directory.Exists(processing) ? Directory.GetDirectories(processing, $"*-{worker.Id}-*").SingleOrDefault() : null;
        }
        bool Held(Process worker) => FolderOf(worker) is { } folder && Directory.Exists(folder) && Directory.GetFiles(folder, "*.csv").Length > 0;
        var keeper = StartWorker(config, "keeper");
        var victim = StartWorker(config, "victim");
        int held = 0;
        for (int kill = 0; kill < kills; kill++)
        {
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (DateTime.UtcNow < deadline && FolderOf(victim) is null) Thread.Sleep(5); // the new victim is up
            Drop(2 * kill);
            Drop(2 * kill + 1);
            deadline = DateTime.UtcNow.AddSeconds(5);
            while (DateTime.UtcNow < deadline && !Held(victim)) Thread.Sleep(1);
            if (Held(victim)) held++;
            victim.Kill(entireProcessTree: true);
            victim.WaitForExit();
            victim = StartWorker(config, "victim");
        }
        Drop(2 * kills);
        string done = Path.Combine(root, "done");
        var until = DateTime.UtcNow.AddMinutes(5);
        while ((Directory.Exists(done) ? Directory.GetFiles(done, "*.csv").Length : 0) < files && DateTime.UtcNow < until) Thread.Sleep(50);
        Thread.Sleep(1000);
        Stop([keeper, victim]);
        var ids = Directory.GetFiles(Path.Combine(root, "out"), "*.scores.csv").SelectMany(f => File.ReadLines(f).Skip(1)).Select(l => l[..l.IndexOf(',')]).ToList();
        Console.WriteLine($"Kill test, inbox: {files * perFile} records in {files} files, 2 workers, {kills} × kill -9 of one of them ({held} while it held a file; taken over after a 2 s lease):");
        Console.WriteLine($"  {Counts(ids, files * perFile)}");
    }

    /// <summary>
    /// The kill loop: a keeper and a victim worker with <paramref name="model"/>; <paramref name="feed"/> puts part k (0 … kills)
    /// of the records into the stream; each of the first <paramref name="kills"/> parts is fed once the current victim reads,
    /// which is killed once it holds entries and replaced under a new name. Returns the output entries once all
    /// <paramref name="records"/> are scored and acknowledged, and how many kills hit a victim holding entries.
    /// </summary>
    private (StreamEntry[] Output, int Held) KillRun(string model, int kills, Action<IDatabase, string, int> feed, int records)
    {
        string prefix = $"kill{++_run}";
        var db = Redis().GetDatabase();
        string config = WriteConfig(prefix, "Redis", model);
        var keeper = StartWorker(config, $"{prefix}-keeper");
        var victim = StartWorker(config, $"{prefix}-victim0");
        int held = 0;
        for (int kill = 0; kill < kills; kill++)
        {
            // Feed only once the (new) victim is reading, so that it takes batches and dies holding one.
            string name = $"{prefix}-victim{kill}";
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (DateTime.UtcNow < deadline && !Consumes(db, prefix, name)) Thread.Sleep(10);
            feed(db, prefix, kill);
            while (DateTime.UtcNow < deadline && Pending(db, prefix, name) == 0) Thread.Sleep(1);
            victim.Kill(entireProcessTree: true);
            victim.WaitForExit();
            if (Pending(db, prefix, name) > 0) held++;
            victim = StartWorker(config, $"{prefix}-victim{kill + 1}");
        }
        feed(db, prefix, kills);
        while (db.StreamLength(Key(prefix, "out")) < records || db.StreamPending(Key(prefix, "in"), "bench").PendingMessageCount > 0) Thread.Sleep(50);
        Thread.Sleep(1000); // a late duplicate, if any, would show up now
        var output = db.StreamRange(Key(prefix, "out"));
        Stop([keeper, victim]);
        return (output, held);
    }

    private static bool Consumes(IDatabase db, string prefix, string consumer)
    {
        try
        {
            return db.StreamConsumerInfo(Key(prefix, "in"), "bench").Any(c => c.Name == consumer);
        }
        catch (RedisServerException)
        {
            return false; // the group does not exist yet
        }
    }

    private static long Pending(IDatabase db, string prefix, string consumer)
    {
        try
        {
            return db.StreamConsumerInfo(Key(prefix, "in"), "bench").FirstOrDefault(c => c.Name == consumer).PendingMessageCount;
        }
        catch (RedisServerException)
        {
            return 0; // the group does not exist yet
        }
    }

    public static string Cpu()
    {
        var line = File.Exists("/proc/cpuinfo") ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal)) : null;
        return line?.Split(':', 2)[1].Trim() ?? "unknown CPU";
    }

    private static long Rss(int pid)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal)) return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]);
        return -1;
    }

    /// <summary>"results n, distinct ids d: lost …, duplicated …" for the ids found in a kill test's outputs.</summary>
    private static string Counts(IReadOnlyList<string> ids, int records)
    {
        int distinct = ids.Distinct().Count();
        return $"results {ids.Count}, distinct ids {distinct}: lost {records - distinct}, duplicated {ids.Count - distinct}";
    }

    /// <summary>A CSV file (header id, x0 … x7) of <paramref name="count"/> records from <paramref name="offset"/>.</summary>
    private static string Csv(int count, int offset)
    {
        var text = new StringBuilder("id," + string.Join(',', Names) + "\n");
        foreach (var record in Records(count, offset)) text.Append(record.Id).Append(',').AppendJoin(',', record.Values).Append('\n');
        return text.ToString();
    }

    private void Load(IDatabase db, string prefix, int count, int offset = 0) =>
        Load(db, prefix, Records(count, offset).Select(r => (NameValueEntry[])[new NameValueEntry("id", r.Id), .. Names.Select((n, i) => new NameValueEntry(n, r.Values[i]))]));

    private static void Load(IDatabase db, string prefix, IEnumerable<NameValueEntry[]> entries)
    {
        foreach (var chunk in entries.Chunk(5000))
            Task.WaitAll(chunk.Select(e => (Task)db.StreamAddAsync(Key(prefix, "in"), e)).ToArray());
    }

    private string WriteConfig(string prefix, string source, string model = "model.aeml", string inboxLeaseTimeout = "00:00:30")
    {
        var config = new
        {
            AnomalyScoring = new
            {
                ModelPath = model, Source = source, BatchSize = 1024, IdleDelay = "00:00:00.020",
                Inbox = new { Directory = prefix, LeaseTimeout = inboxLeaseTimeout },
                Redis = new { Configuration = _redisConfiguration, InputStream = Key(prefix, "in"), OutputStream = Key(prefix, "out"), AlertStream = Key(prefix, "alerts"), DeadLetterStream = Key(prefix, "dead"), ConsumerGroup = "bench", ClaimIdleTime = "00:00:02" },
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

    private static string Key(string prefix, string name) => $"{{{prefix}}}:{name}"; // one hash tag, as on a cluster

    private sealed record Row(string Id, string[] Values);

    private static IEnumerable<Row> Records(int count, int offset)
    {
        var random = new Random(offset + 1);
        for (int i = 0; i < count; i++)
        {
            double a = random.NextDouble() * 2 - 1, b = random.NextDouble() * 2 - 1;
            yield return new Row($"r{offset + i}", [.. Names.Select((_, f) => Math.Tanh(a * (f % 3 - 1) + b * (f % 4 - 1.5)).ToString("F5", CultureInfo.InvariantCulture))]);
        }
    }

    private static void TrainModel(string path)
    {
        var ml = new MLContext(1);
        var rows = Records(3000, 1_000_000).ToList();
        var builder = new ColumnarDataView.Builder();
        for (int f = 0; f < Names.Length; f++) builder.AddSingle(Names[f], rows.Select(r => float.Parse(r.Values[f], CultureInfo.InvariantCulture)).ToArray());
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
