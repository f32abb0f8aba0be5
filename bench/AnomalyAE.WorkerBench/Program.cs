// End-to-end throughput of the scoring worker: records/s through Redis Streams and through the directory inbox with 1
// and 2 worker processes, each against the ceiling Redis allows on this machine, measured in the same run: a bare
// Redis transport loop in this process that makes the worker's calls per batch without scoring (XREADGROUP of 1,024,
// then one Lua script of XACK + XADD per entry). The in-process references (the worker's scorer with no transport, and
// the dictionary-per-record scorer it replaced) are measured too. Then ten kill -9 of one of two Redis workers (lost and
// duplicated records counted) and the worker's memory over a long Redis soak. Needs redis-server installed (started here
// on a free loopback port); --inbox-only runs the in-process references and the inbox rows alone, without it.
// --series N is for the sequence-model row (N series through Redis), which this build does not measure yet.
// Usage: dotnet run --project bench/AnomalyAE.WorkerBench -c Release [-- --records 100000] [--soak 1000000] [--kills 10] [--series 0] [--inbox-only]
using AnomalyAE.WorkerBench;

int records = 100_000, soak = 1_000_000, kills = 10, series = 0;
bool inboxOnly = false;
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
    else throw new ArgumentException($"Unknown option {args[i]}; options: --records N --soak N --kills N --series N --inbox-only");
}
if (inboxOnly) soak = kills = 0;

using var workspace = new Workspace();
Console.WriteLine($"Scoring worker benchmark: {Workspace.Cpu()}, {Environment.ProcessorCount} cores, {records} records of 8 features per run, model 8 → 32 → 2 → 32 → 8 (1 libtorch thread per worker).");
Console.WriteLine();
Console.WriteLine($"{"path",-52} {"workers",7} {"records/s",10} {"vs bare transport",18}");

double before = workspace.ScoreWithDictionaries(records);
double inProcess = workspace.ScoreInProcess(records);
double? bare = inboxOnly ? null : workspace.BareRedisTransport(records);
// The ratio is each Redis row's share of the bare loop's rate; rows that do not go through Redis print "—".
void Row(string path, int workers, double rate, bool throughRedis = false)
{
    string ratio = throughRedis && bare is double ceiling ? (rate / ceiling).ToString("P0") : "—";
    Console.WriteLine($"{path,-52} {workers,7} {rate,10:F0} {ratio,18}");
}
Row("reference: dictionary-per-record scorer (before)", 1, before);
Row("in-process RecordBatchScorer (no transport)", 1, inProcess);
Console.WriteLine($"{"",-52} {"",7} {"",10} in-process / before = {inProcess / before:F2}×");
if (bare is double bareRate)
{
    Row("bare Redis transport", 1, bareRate, throughRedis: true);
    foreach (int workers in new[] { 1, 2 })
        Row("Redis, tabular", workers, workspace.ThroughRedis(records, workers), throughRedis: true);
}
// The row "Redis, sequence (N series)" goes here, measured by a Workspace method beside ThroughRedis once the worker
// serves sequence models; until then this line says so.
if (series > 0)
    Console.WriteLine($"Redis, sequence ({series} series): not measured by this build (the worker does not serve sequence models yet).");
foreach (int workers in new[] { 1, 2 })
    Row("directory inbox (10 CSV files)", workers, workspace.ThroughInbox(records, workers));
Console.WriteLine("vs bare transport: rate / the bare Redis loop's rate, for rows through Redis only; the in-process and inbox rows are not bounded by that loop (—).");

if (kills > 0)
{
    Console.WriteLine();
    workspace.KillTest(records * 2, kills);
}
if (soak > 0)
{
    Console.WriteLine();
    workspace.Soak(soak);
}
