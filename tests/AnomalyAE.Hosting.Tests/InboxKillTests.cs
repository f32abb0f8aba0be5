using System.Diagnostics;
using System.Text;
using System.Text.Json;
using AnomalyAE.Hosting.Health;
using Microsoft.Extensions.DependencyInjection;

namespace AnomalyAE.Hosting.Tests;

/// <summary>`anomalyae worker` processes on one inbox killed with SIGKILL mid-file, or while a file still grows: nothing lost, nothing twice.</summary>
public sealed class InboxKillTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("anomalyae-inbox-kill-").FullName;
    private readonly List<Process> _workers = [];

    public void Dispose()
    {
        foreach (var worker in _workers.Where(w => !w.HasExited)) worker.Kill(entireProcessTree: true);
        Directory.Delete(_folder, recursive: true);
    }

    private string Folder(string name) => Path.Combine(_folder, "scoring", name);

    private Process StartWorker(string config)
    {
        var process = WorkerHost.StartProcess(config);
        _workers.Add(process);
        return process;
    }

    private static void WaitFor(Func<bool> condition, string what, int seconds = 120)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"timed out waiting for {what}");
            Thread.Sleep(10);
        }
    }

    /// <summary>The processing/ folder of a worker process: its id is MACHINE-PID-RANDOM.</summary>
    private string? FolderOf(Process worker) =>
        Directory.Exists(Folder("processing")) ? Directory.GetDirectories(Folder("processing"), $"*-{worker.Id}-*").SingleOrDefault() : null;

    [Fact]
    public void KillingOneOfTwoWorkersMidFileLosesAndDuplicatesNothing()
    {
        TestModels.Train(Path.Combine(_folder, "model.aeml"));
        var config = new
        {
            AnomalyScoring = new
            {
                ModelPath = Path.Combine(_folder, "model.aeml"), Source = "Inbox", BatchSize = 20, IdleDelay = "00:00:00.050",
                Inbox = new { Directory = Path.Combine(_folder, "scoring"), SettleTime = "00:00:00", QuietTime = "00:00:00.500", LeaseTimeout = "00:00:03" },
            },
        };
        string path = Path.Combine(_folder, "worker.json");
        File.WriteAllText(path, JsonSerializer.Serialize(config));
        var victim = StartWorker(path);
        var survivor = StartWorker(path);
        WaitFor(() => FolderOf(victim) is not null && FolderOf(survivor) is not null, "both workers' folders");

        const int files = 10, rows = 1500;
        Directory.CreateDirectory(Folder("inbox"));
        for (int f = 0; f < files; f++)
        {
            string temporary = Path.Combine(Folder("inbox"), $".part{f}.csv.part");
            File.WriteAllText(temporary, TestModels.Csv(TestModels.Rows(rows, seed: 200 + f, prefix: $"k{f}-")));
            File.Move(temporary, Path.Combine(Folder("inbox"), $"part{f}.csv"));
        }
        string victimFolder = FolderOf(victim)!;
        WaitFor(() => Directory.GetFiles(victimFolder, "*.csv").Length > 0, "the victim to claim a file");
        victim.Kill(); // SIGKILL: no shutdown, no release, its lease stops being renewed
        victim.WaitForExit();
        var orphaned = Directory.GetFiles(victimFolder, "*.csv");
        Assert.NotEmpty(orphaned); // killed mid-file: ~75 batches per file, killed within milliseconds of the claim

        WaitFor(() => Enumerable.Range(0, files).All(f => File.Exists(Path.Combine(Folder("done"), $"part{f}.csv"))), "every file done");
        var ids = Directory.GetFiles(Folder("out"), "*.scores.csv").SelectMany(f => File.ReadAllLines(f).Skip(1)).Select(l => l.Split(',')[0]).ToList();
        Assert.Equal(files * rows, ids.Count);
        Assert.Equal(files * rows, ids.Distinct().Count());
        Assert.Equal(files, Directory.GetFiles(Folder("out"), "*.scores.csv").Length);
        Assert.All(orphaned, o => Assert.False(File.Exists(o), $"{o} was not taken over"));
        WaitFor(() => !Directory.Exists(victimFolder), "the dead worker's folder removed", seconds: 10);
        Assert.False(survivor.HasExited);
    }

    [Fact]
    public async Task KillingTheWorkerWhileAFileStillGrowsLosesAndDuplicatesNothing()
    {
        string model = Path.Combine(_folder, "model.aeml");
        TestModels.Train(model);
        var settings = new { SettleTime = "00:00:00.300", QuietTime = "00:00:02", LeaseTimeout = "00:00:02" };
        // The victim's quiet time is long: it must not finish the file before it is killed, however slow this machine is.
        var config = new
        {
            AnomalyScoring = new { ModelPath = model, Source = "Inbox", BatchSize = 50, IdleDelay = "00:00:00.050", Inbox = new { Directory = Path.Combine(_folder, "scoring"), settings.SettleTime, QuietTime = "00:01:00", settings.LeaseTimeout } },
        };
        string path = Path.Combine(_folder, "worker.json");
        File.WriteAllText(path, JsonSerializer.Serialize(config));
        var victim = StartWorker(path);
        WaitFor(() => FolderOf(victim) is not null, "the worker's folder");
        string victimFolder = FolderOf(victim)!;

        var rows = TestModels.Rows(3000, seed: 300, prefix: "g");
        var segments = InPlaceWriter.Segments(rows, 1000, 2000);
        using var writer = new InPlaceWriter(Path.Combine(Folder("inbox"), "grow.csv"));
        writer.Write(segments[0]);
        // Killed once its progress is saved up to the end of what was written, while the writer still has 2,000 rows to go.
        WaitFor(() => CheckpointOffset(victimFolder, "grow.csv") is long offset && offset == Encoding.UTF8.GetByteCount(segments[0]), "the victim's checkpoint");
        victim.Kill(); // SIGKILL
        victim.WaitForExit();
        writer.Write(segments[1]);

        var logs = new List<string>();
        using var survivor = WorkerHost.Build(_folder, logs, new Dictionary<string, string?>
        {
            ["AnomalyScoring:ModelPath"] = model, ["AnomalyScoring:Inbox:Directory"] = "scoring", ["AnomalyScoring:BatchSize"] = "50",
            ["AnomalyScoring:IdleDelay"] = "00:00:00.050", ["AnomalyScoring:Inbox:SettleTime"] = settings.SettleTime,
            ["AnomalyScoring:Inbox:QuietTime"] = settings.QuietTime, ["AnomalyScoring:Inbox:LeaseTimeout"] = settings.LeaseTimeout,
        });
        await survivor.StartAsync();
        WaitFor(() => { lock (logs) return logs.Any(l => l.Contains("Going on with grow.csv from its checkpoint")); }, "the takeover");
        writer.Write(segments[2]);
        WaitFor(() => File.Exists(Path.Combine(Folder("done"), "grow.csv")), "the file done");
        await survivor.StopAsync();

        var ids = File.ReadAllLines(Path.Combine(Folder("out"), "grow.scores.csv")).Skip(1).Select(l => l.Split(',')[0]);
        Assert.Equal(rows.Select(r => r.Id), ids);
        Assert.Equal(2000, survivor.Services.GetRequiredService<WorkerHealth>().RecordsScored); // the first 1,000 were not scored again
        lock (logs) Assert.Contains(logs, l => l.Contains("1000 records already scored"));
        Assert.Empty(Directory.GetFiles(Folder("deadletter")));
    }

    /// <summary>The byte offset in the checkpoint of <paramref name="name"/> in <paramref name="folder"/>; null while there is none.</summary>
    private static long? CheckpointOffset(string folder, string name)
    {
        try
        {
            using var checkpoint = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, $".{name}.progress")));
            return checkpoint.RootElement.GetProperty("Offset").GetInt64();
        }
        catch (IOException)
        {
            return null;
        }
    }
}
