using System.IO.Compression;
using AnomalyAE.TimeSeries.Evaluation.Data;
using AnomalyAE.TimeSeries.Evaluation.Detectors;

namespace AnomalyAE.Bench.Tests;

/// <summary>The NAB and MSL readers on tiny files laid out like the real ones.</summary>
public sealed class LoaderTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("ts-loaders-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public void NabWindowsBecomeRowRangesAndTheTaskStartsAfterProbation()
    {
        Directory.CreateDirectory(Path.Combine(folder, "data", "cat"));
        Directory.CreateDirectory(Path.Combine(folder, "labels"));
        var start = new DateTime(2014, 7, 1);
        File.WriteAllLines(Path.Combine(folder, "data", "cat", "f.csv"),
            ["timestamp,value", .. Enumerable.Range(0, 40).Select(i => $"{start.AddMinutes(5 * i):yyyy-MM-dd HH:mm:ss},{i}.5")]);
        File.WriteAllText(Path.Combine(folder, "labels", "combined_windows.json"),
            """{ "cat/f.csv": [["2014-07-01 01:40:00.000000", "2014-07-01 02:00:00.000000"]] }""");
        var file = Assert.Single(NabCorpus.Load(folder));
        Assert.Equal("cat/f.csv", file.Name);
        Assert.Equal([new AnomalyRange(20, 24)], file.Windows);
        var task = file.ToTask();
        Assert.Equal(6, task.TrainRows); // ⌊0.15 · 40⌋
        Assert.Equal(34, task.TestRows);
        Assert.Equal(6.5f, task.Test[0]);
        Assert.Equal([new AnomalyRange(14, 18)], task.Anomalies);
    }

    [Fact]
    public void MslReadsGzipCsvAndLabeledRanges()
    {
        Directory.CreateDirectory(Path.Combine(folder, "train"));
        Directory.CreateDirectory(Path.Combine(folder, "test"));
        File.WriteAllLines(Path.Combine(folder, "labeled_anomalies.csv"),
        [
            "chan_id,spacecraft,anomaly_sequences,class,num_values",
            "A-1,SMAP,\"[[1, 2]]\",[point],5",
            "M-9,MSL,\"[[3, 4], [0, 1]]\",\"[point, contextual]\",5",
        ]);
        void Write(string path, int rows)
        {
            using var writer = new StreamWriter(new GZipStream(File.Create(path), CompressionLevel.Fastest));
            writer.WriteLine("value,cmd1");
            for (int i = 0; i < rows; i++) writer.WriteLine($"{i / 10.0},{i % 2}");
        }
        Write(Path.Combine(folder, "train", "M-9.csv.gz"), 7);
        Write(Path.Combine(folder, "test", "M-9.csv.gz"), 5);
        var task = Assert.Single(MslCorpus.Load(folder));
        Assert.Equal(("M-9", 2, 7, 5), (task.Name, task.Dimensions, task.TrainRows, task.TestRows));
        Assert.Equal([new AnomalyRange(0, 1), new AnomalyRange(3, 4)], task.Anomalies);
        Assert.Equal([true, true, false, true, true], task.TestLabels());
        Assert.Equal(0.3f, task.Test[6]);
    }

    [Fact]
    public void TestWindowsEndAtTheirRowAndReachBackOnlyIntoThePast()
    {
        var task = new SeriesTask("NAB", "x", 1, [1, 2, 3], [4, 5], TestFollowsTrain: true, []) { Window = 4 };
        var windows = SlidingWindows.Test(task);
        Assert.Equal([1f, 2, 3, 4], windows[0]);
        Assert.Equal([2f, 3, 4, 5], windows[1]);
        var separate = task with { TestFollowsTrain = false };
        Assert.Equal([4f, 4, 4, 4], SlidingWindows.Test(separate)[0]);
        Assert.Equal(2, SlidingWindows.Train(task with { Window = 2 }).Length);
    }
}
