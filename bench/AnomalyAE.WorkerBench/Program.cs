// End-to-end throughput of the scoring worker: records/s through Redis Streams and through the directory inbox with 1
// and 2 worker processes, next to the reference of scoring the same records in-process with no transport; then the
// worker's memory over a long Redis soak. Needs redis-server installed (started here on a free loopback port).
// Usage: dotnet run --project bench/AnomalyAE.WorkerBench -c Release [-- --records 100000] [--soak 1000000]
using System.Diagnostics;
using AnomalyAE.WorkerBench;

int records = 100_000, soak = 1_000_000;
for (int i = 0; i + 1 < args.Length; i += 2)
{
    if (args[i] == "--records") records = int.Parse(args[i + 1]);
    else if (args[i] == "--soak") soak = int.Parse(args[i + 1]);
    else throw new ArgumentException($"Unknown option {args[i]}; options: --records N --soak N");
}

using var workspace = new Workspace();
Console.WriteLine($"Scoring worker benchmark: {Environment.ProcessorCount} cores, {records} records of 8 features per run, model 8 → 32 → 2 → 32 → 8 (1 libtorch thread per worker).");
Console.WriteLine();
Console.WriteLine($"{"path",-44} {"workers",7} {"records/s",10}");

double reference = workspace.ScoreInProcess(records);
Console.WriteLine($"{"reference: in-process RecordBatchScorer",-44} {1,7} {reference,10:F0}");
foreach (int workers in new[] { 1, 2 })
    Console.WriteLine($"{"Redis Streams (XREADGROUP → score → Lua commit)",-44} {workers,7} {workspace.ThroughRedis(records, workers),10:F0}");
foreach (int workers in new[] { 1, 2 })
    Console.WriteLine($"{"directory inbox (10 CSV files)",-44} {workers,7} {workspace.ThroughInbox(records, workers),10:F0}");

if (soak > 0)
{
    Console.WriteLine();
    workspace.Soak(soak);
}
