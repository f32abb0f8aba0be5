// End-to-end throughput of the scoring worker: records/s through Redis Streams and through the directory inbox with 1
// and 2 worker processes, each against the ceiling Redis allows on this machine, measured in the same run: a bare
// Redis transport loop in this process that makes the worker's calls per batch without scoring (XREADGROUP of 1,024,
// then one Lua script of XACK + XADD per entry). The in-process references (the worker's scorer with no transport, and
// the dictionary-per-record scorer it replaced) are measured too. Then ten kill -9 of one of two Redis workers and of
// one of two inbox workers (lost and duplicated records counted) and the worker's memory over a long Redis soak. Needs
// redis-server installed (started here on a free loopback port); --inbox-only runs the in-process references, the inbox
// rows and the inbox kill test alone, without it.
// --series N adds the sequence-model rows (N series interleaved, window --window): the public OnlineSequenceScorer in
// process, the bare loop over the same records, one Redis worker; the kill test with the sequence model (results once, and
// equal to the batch Transform's scores), and a soak over --soak-series series (10,000). --only-series runs those alone.
// Usage: dotnet run --project bench/AnomalyAE.WorkerBench -c Release [-- --records 100000] [--soak 1000000] [--kills 10] [--series 1000] [--soak-series 10000] [--window 16] [--only-series] [--inbox-only]
using AnomalyAE.WorkerBench;

int records = 100_000, soak = 1_000_000, kills = 10, series = 0, soakSeries = 10_000, window = 16;
bool inboxOnly = false, onlySeries = false;
for (int i = 0; i < args.Length; i++)
{
    if (args[i] == "--inbox-only") inboxOnly = true;
    else if (i + 1 < args.Length && args[i] == "--records") records = int.Parse(args[++i]);
    else if (i + 1 < args.Length && args[i] == "--soak") soak = int.Parse(args[++i]);
    else if (i + 1 < args.Length && args[i] == "--kills") kills = int.Parse(args[++i]);
    else if (i + 1 < args.Length && args[i] == "--series")
    {
        if (!int.TryParse(args[++i], out series) || series < 0)
            throw new ArgumentException($"--series takes a whole number of series, 0 or more (0, the default, measures no sequence row); got '{args[i]}'.");
    }
    else if (i + 1 < args.Length && args[i] == "--soak-series") soakSeries = int.Parse(args[++i]);
    else if (i + 1 < args.Length && args[i] == "--window") window = int.Parse(args[++i]);
    else if (args[i] == "--only-series") onlySeries = true;
    else throw new ArgumentException($"Unknown option {args[i]}; options: --records N --soak N --kills N --series N --soak-series N --window N --only-series --inbox-only");
}
if (inboxOnly) soak = 0;

using var workspace = new Workspace(window);
Console.WriteLine($"Scoring worker benchmark: {Workspace.Cpu()}, {Environment.ProcessorCount} cores, {records} records of 8 features per run, model 8 → 32 → 2 → 32 → 8 (1 libtorch thread per worker)" +
    (series > 0 ? $"; sequence rows: {series} series interleaved, window {window} × 8 channels, the sequence defaults otherwise." : "."));
Console.WriteLine();
Console.WriteLine($"{"path",-52} {"workers",7} {"records/s",10} {"vs bare transport",18}");

void Row(string path, int workers, double rate, string ratio = "—") => Console.WriteLine($"{path,-52} {workers,7} {rate,10:F0} {ratio,18}");

// The Redis rows run in 3 rounds, each round the bare loop and then each Redis path over the same records, so that the
// machine's drift (its speed changes from second to second here) hits both sides of a ratio alike. A row prints its
// median rate and the median of its per-round ratios to the bare loop.
double[] RedisRows(Func<double> bareRun, params (string Path, int Workers, Func<double> Run)[] paths)
{
    var bare = new List<double>();
    var rates = paths.Select(_ => new List<double>()).ToArray();
    for (int round = 0; round < 3; round++)
    {
        bare.Add(bareRun());
        for (int p = 0; p < paths.Length; p++) rates[p].Add(paths[p].Run());
    }
    static double Median(IEnumerable<double> values) => values.Order().ElementAt(1);
    Row(paths.Length > 0 && paths[0].Path.Contains("sequence") ? "bare Redis transport (the sequence records)" : "bare Redis transport", 1, Median(bare), "100 %");
    for (int p = 0; p < paths.Length; p++)
        Row(paths[p].Path, paths[p].Workers, Median(rates[p]), Median(rates[p].Zip(bare, (rate, ceiling) => rate / ceiling)).ToString("P0"));
    return [.. rates.Select(Median)];
}
if (!onlySeries)
{
    double before = workspace.ScoreWithDictionaries(records);
    double inProcess = workspace.ScoreInProcess(records);
    Row("reference: dictionary-per-record scorer (before)", 1, before);
    Row("in-process RecordBatchScorer (no transport)", 1, inProcess);
    Console.WriteLine($"{"",-52} {"",7} {"",10} in-process / before = {inProcess / before:F2}×");
    if (!inboxOnly)
        RedisRows(() => workspace.BareRedisTransport(records),
            ("Redis, tabular", 1, () => workspace.ThroughRedis(records, 1)),
            ("Redis, tabular", 2, () => workspace.ThroughRedis(records, 2)));
    foreach (int workers in new[] { 1, 2 })
        Row("directory inbox (10 CSV files)", workers, workspace.ThroughInbox(records, workers));
}
if (series > 0 && !inboxOnly)
{
    double inProcess = workspace.ScoreSeriesInProcess(records, series);
    Row($"in-process OnlineSequenceScorer ({series} series)", 1, inProcess);
    double redis = RedisRows(() => workspace.BareRedisTransportOfSeries(records, series),
        ($"Redis, sequence ({series} series)", 1, () => workspace.ThroughRedisSeries(records, series, workers: 1)))[0];
    Console.WriteLine($"{"",-52} {"",7} {"",10} Redis / in-process = {redis / inProcess:P0}");
}
Console.WriteLine("vs bare transport: for rows through Redis only, the median over 3 rounds of rate / the rate of the bare Redis loop over the same\n" +
    "records in that round (rates timed from the first tenth of the results on); the in-process and inbox rows are not bounded by that loop (—).");

if (kills > 0)
{
    if (!onlySeries)
    {
        Console.WriteLine();
        if (!inboxOnly)
        {
            workspace.KillTest(records * 2, kills);
            Console.WriteLine();
        }
        workspace.InboxKillTest(records * 2, kills);
    }
    if (series > 0 && !inboxOnly)
    {
        Console.WriteLine();
        workspace.SeriesKillTest(records * 2, series, kills);
    }
}
if (soak > 0)
{
    if (!onlySeries)
    {
        Console.WriteLine();
        workspace.Soak(soak);
    }
    if (series > 0)
    {
        Console.WriteLine();
        workspace.SeriesSoak(soak, soakSeries);
    }
}
