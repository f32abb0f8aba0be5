using System.Diagnostics;
using System.Text.Json;

namespace AnomalyAE.Hosting.Tests;

/// <summary>Two `anomalyae worker` processes on one inbox, one killed with SIGKILL mid-file: nothing lost, nothing twice.</summary>
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
                Inbox = new { Directory = Path.Combine(_folder, "scoring"), SettleTime = "00:00:00", LeaseTimeout = "00:00:03" },
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
}
