// End-to-end throughput of the scoring worker: records/s through Redis Streams and through the directory inbox with 1
// and 2 worker processes, next to the in-process references measured in the same run (the worker's scorer with no
// transport, and the dictionary-per-record scorer it replaced); then ten kill -9 of one of two Redis workers (lost and
// duplicated records counted) and the worker's memory over a long Redis soak. Needs redis-server installed (started here
// on a free loopback port); --inbox-only runs the in-process references and the inbox rows alone, without it.
// Usage: dotnet run --project bench/AnomalyAE.WorkerBench -c Release [-- --records 100000] [--soak 1000000] [--kills 10] [--inbox-only]
using AnomalyAE.WorkerBench;

int records = 100_000, soak = 1_000_000, kills = 10;
bool inboxOnly = false;
for (int i = 0; i < args.Length; i++)
{
    if (args[i] == "--inbox-only") inboxOnly = true;
    else if (i + 1 < args.Length && args[i] == "--records") records = int.Parse(args[++i]);
    else if (i + 1 < args.Length && args[i] == "--soak") soak = int.Parse(args[++i]);
    else if (i + 1 < args.Length && args[i] == "--kills") kills = int.Parse(args[++i]);
    else throw new ArgumentException($"Unknown option {args[i]}; options: --records N --soak N --kills N --inbox-only");
}
if (inboxOnly) soak = kills = 0;

using var workspace = new Workspace();
Console.WriteLine($"Scoring worker benchmark: {Workspace.Cpu()}, {Environment.ProcessorCount} cores, {records} records of 8 features per run, model 8 → 32 → 2 → 32 → 8 (1 libtorch thread per worker).");
Console.WriteLine();
Console.WriteLine($"{"path",-52} {"workers",7} {"records/s",10} {"vs in-process",14}");

double before = workspace.ScoreWithDictionaries(records);
double inProcess = workspace.ScoreInProcess(records);
void Row(string path, int workers, double rate) => Console.WriteLine($"{path,-52} {workers,7} {rate,10:F0} {rate / inProcess,13:P0}");
Row("reference: dictionary-per-record scorer (before)", 1, before);
Row("in-process RecordBatchScorer (no transport)", 1, inProcess);
Console.WriteLine($"{"",-52} {"",7} {"",10} in-process / before = {inProcess / before:F2}×");
if (!inboxOnly)
    foreach (int workers in new[] { 1, 2 })
        Row("Redis Streams (XREADGROUP → score → Lua commit)", workers, workspace.ThroughRedis(records, workers));
foreach (int workers in new[] { 1, 2 })
    Row("directory inbox (10 CSV files)", workers, workspace.ThroughInbox(records, workers));

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
