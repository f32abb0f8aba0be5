using System.Diagnostics;
using System.Globalization;
using AnomalyAE.DataViews;
using Microsoft.ML;
using Microsoft.ML.Data;
using StackExchange.Redis;

namespace AnomalyAE.WorkerBench;

/// <summary>
/// The sequence-model workload: records of many series interleaved in time (step t of every series, then t + 1), 8
/// channels each, scored by a sequence autoencoder (window <c>--window</c>, the other options the library's defaults) —
/// in process through the public <see cref="OnlineSequenceScorer"/>, through a bare transport loop, through Redis
/// workers, under kill -9 (every result once, and each score equal to the batch Transform's), and in a memory soak.
/// </summary>
internal sealed partial class Workspace
{
    private readonly int _seriesWindow;
    private string? _seriesModel;

    private string SeriesModel()
    {
        if (_seriesModel is not null) return _seriesModel;
        var ml = new MLContext(1);
        var rows = SeriesRecords(series: 20, fromStep: 1_000_000, steps: 300).ToList();
        var data = SeriesView(rows);
        var options = new SequenceAutoencoderOptions
        {
            WindowSize = _seriesWindow, ChannelColumnNames = Names, SeriesColumnName = "series", OrderColumnName = "t", Epochs = 5, NumberOfThreads = 1, Seed = 1,
            FeatureContributionsColumnName = "FeatureContributions",
        };
        using var model = ml.Autoencoders().SequenceAutoencoder(options).Fit(data);
        ml.Autoencoders().Save(model, data.Schema, Path.Combine(_folder, "series.aeml"));
        return _seriesModel = "series.aeml";
    }

    private sealed record SeriesRow(string Id, string Series, int Step, string[] Values);

    /// <summary>Steps <paramref name="fromStep"/> … of <paramref name="series"/> series, interleaved: step t of every series, then t + 1.</summary>
    private static IEnumerable<SeriesRow> SeriesRecords(int series, int fromStep, int steps)
    {
        for (int t = fromStep; t < fromStep + steps; t++)
            for (int s = 0; s < series; s++)
            {
                var random = new Random(s * 7919 + t);
                double theta = 2 * Math.PI * t / 24 + s;
                yield return new SeriesRow($"h{s}-{t}", $"host-{s:D5}", t,
                    [.. Names.Select((_, f) => (Math.Sin(theta + f) + 0.05 * (random.NextDouble() - 0.5)).ToString("F5", CultureInfo.InvariantCulture))]);
            }
    }

    private static NameValueEntry[] Entry(SeriesRow r) =>
        [new("id", r.Id), new("series", r.Series), new("t", r.Step), .. Names.Select((n, i) => new NameValueEntry(n, r.Values[i]))];

    private static IDataView SeriesView(IReadOnlyList<SeriesRow> rows)
    {
        var builder = new ColumnarDataView.Builder();
        for (int f = 0; f < Names.Length; f++) builder.AddSingle(Names[f], [.. rows.Select(r => float.Parse(r.Values[f], CultureInfo.InvariantCulture))]);
        return builder.AddText("series", [.. rows.Select(r => r.Series)]).AddSingle("t", [.. rows.Select(r => (float)r.Step)]).Build();
    }

    /// <summary>Records of <paramref name="series"/> series in the stream: <paramref name="records"/> / series steps each.</summary>
    private static Action<IDatabase, string> LoadSeries(int records, int series) =>
        (db, prefix) => Load(db, prefix, SeriesRecords(series, 0, records / series).Select(Entry));

    /// <summary>
    /// Records/s of the public online scorer on the same records held as text, fields parsed into the model's record
    /// buffers, batches of 1,024, no transport (median of 3 runs, each with a new scorer: every series starts empty).
    /// </summary>
    public double ScoreSeriesInProcess(int records, int series)
    {
        using var file = ScoringModelFile.Load(Path.Combine(_folder, SeriesModel()));
        var contract = file.Contract;
        var rows = SeriesRecords(series, 0, records / series).ToList();
        return Median(() =>
        {
            var scorer = new OnlineSequenceScorer(file.Model, contract.RecordSchema, new OnlineSequenceScorerOptions { OutputColumnNames = [contract.ScoreColumnName] });
            var clock = Stopwatch.StartNew();
            for (int start = 0; start < rows.Count; start += 1024)
            {
                int count = Math.Min(1024, rows.Count - start);
                var buffers = contract.CreateRecordBuffers(count);
                for (int c = 0; c < contract.RecordSchema.Count; c++)
                {
                    string name = contract.RecordSchema[c].Name;
                    int channel = Array.IndexOf(Names, name);
                    for (int r = 0; r < count; r++)
                    {
                        var row = rows[start + r];
                        if (name == "series") buffers.Texts(c)[r] = row.Series;
                        else if (name == "t") buffers.Numbers(c)[r] = row.Step;
                        else if (channel >= 0) buffers.Numbers(c)[r] = float.Parse(row.Values[channel], NumberStyles.Float, CultureInfo.InvariantCulture);
                    }
                }
                buffers.Rows = count;
                scorer.Score(buffers);
            }
            return rows.Count / clock.Elapsed.TotalSeconds;
        });
    }

    public double BareRedisTransportOfSeries(int records, int series) => BareRedisTransport(records / series * series, LoadSeries(records, series));

    public double ThroughRedisSeries(int records, int series, int workers) =>
        ThroughRedis(records / series * series, workers, LoadSeries(records, series), SeriesModel());

    /// <summary>
    /// The kill test with the sequence model: every record's result once, and each score equal to the one the batch
    /// Transform gives the whole stream (LastWindow), however often its series' windows were rebuilt after a kill.
    /// </summary>
    public void SeriesKillTest(int records, int series, int kills)
    {
        int steps = records / series, part = steps / (kills + 1);
        var all = SeriesRecords(series, 0, steps).ToList();
        var (output, held) = KillRun(SeriesModel(), kills, (db, prefix, k) =>
        {
            int from = k * part, to = k < kills ? from + part : steps;
            Load(db, prefix, all.Skip(from * series).Take((to - from) * series).Select(Entry));
        }, all.Count);

        var model = new MLContext(1).Autoencoders().Load(Path.Combine(_folder, SeriesModel()), out _);
        var batch = model.Transform(SeriesView(all)).GetColumn<float>("Score").ToArray();
        (model as IDisposable)?.Dispose();
        var expected = all.Select((r, i) => (r.Id, batch[i])).ToDictionary(p => p.Id, p => p.Item2);
        int differing = 0;
        double worst = 0;
        foreach (var entry in output)
        {
            float online = float.Parse((string)entry["Score"]!, CultureInfo.InvariantCulture), offline = expected[(string)entry["id"]!];
            if (float.IsNaN(online) && float.IsNaN(offline)) continue;
            double difference = Math.Abs(online - offline);
            worst = Math.Max(worst, difference / Math.Max(Math.Abs(offline), 1e-6));
            if (!(difference <= Math.Max(1e-6, 1e-5 * Math.Abs(offline))) && differing++ < 3)
                Console.WriteLine($"  record {entry["id"]} (entry {entry["entry"]}, worker {entry["worker"]}): online {online:G7}, batch {offline:G7}");
        }
        Console.WriteLine($"Kill test, sequence model ({series} series, window {_seriesWindow}): {all.Count} records, 2 Redis workers, {kills} × kill -9 of one of them ({held} while it held a batch):");
        Console.WriteLine($"  {Counts(output.Select(e => (string)e["id"]!).ToList(), all.Count)}; " +
            $"scores unlike the batch Transform's (beyond 1e-5 relative / 1e-6 absolute) {differing}, largest relative difference {worst:G3}");
    }

    /// <summary>One Redis worker with the sequence model over <paramref name="records"/> records of <paramref name="series"/> series, fed in chunks of 100,000: its memory after each.</summary>
    public void SeriesSoak(int records, int series)
    {
        string prefix = $"soak{++_run}";
        var db = Redis().GetDatabase();
        var worker = StartWorker(WriteConfig(prefix, "Redis", SeriesModel()), $"{prefix}-w0");
        int stepsPerChunk = Math.Max(1, 100_000 / series);
        Console.WriteLine($"Soak, sequence model: {records} records of {series} series through one Redis worker, fed in chunks of {stepsPerChunk * series}; worker memory after each chunk:");
        var clock = Stopwatch.StartNew();
        for (int step = 0, fed = 0; fed < records; step += stepsPerChunk)
        {
            int chunk = stepsPerChunk * series;
            Load(db, prefix, SeriesRecords(series, step, stepsPerChunk).Select(Entry));
            while (db.StreamLength(Key(prefix, "out")) < chunk) Thread.Sleep(50);
            fed += chunk;
            // Scored and acknowledged: trim the output, and the input to the last window's steps of every series (the trim policy a
            // sequence worker needs: window − 1 records per active series).
            db.StreamTrim(Key(prefix, "out"), 0);
            db.StreamTrim(Key(prefix, "in"), (_seriesWindow - 1) * series);
            Console.WriteLine($"  {fed,9} records: worker RSS {Rss(worker.Id) / 1024,5} MiB, {fed / clock.Elapsed.TotalSeconds:F0} records/s overall");
        }
        Stop([worker]);
    }
}
