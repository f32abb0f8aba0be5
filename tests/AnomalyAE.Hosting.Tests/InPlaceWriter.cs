using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.DependencyInjection;

namespace AnomalyAE.Hosting.Tests;

/// <summary>
/// A program writing a file in place, as in issue #29: one handle kept open (the worker may rename the file meanwhile:
/// the writes follow it), each segment written and flushed at once, then a pause.
/// </summary>
internal sealed class InPlaceWriter : IDisposable
{
    private readonly FileStream _file;

    public InPlaceWriter(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        _file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
    }

    public void Write(string text)
    {
        _file.Write(Encoding.UTF8.GetBytes(text));
        _file.Flush(flushToDisk: false);
    }

    /// <summary>Cuts the file to <paramref name="length"/> bytes and goes on writing there.</summary>
    public void Truncate(long length)
    {
        _file.SetLength(length);
        _file.Position = length;
    }

    public void Dispose() => _file.Dispose();

    /// <summary>Writes <paramref name="segments"/> one by one, pausing <paramref name="pause"/> between them; on a background thread.</summary>
    public static Task WriteAsync(string path, IReadOnlyList<string> segments, TimeSpan pause) => Task.Run(() =>
    {
        using var writer = new InPlaceWriter(path);
        for (int s = 0; s < segments.Count; s++)
        {
            if (s > 0) Thread.Sleep(pause);
            writer.Write(segments[s]);
        }
    });

    /// <summary>The CSV text of <paramref name="rows"/> cut into segments after the given (1-based) row numbers; the header goes with the first.</summary>
    public static List<string> Segments(IReadOnlyList<TestModels.Row> rows, params int[] pauseAfter)
    {
        var lines = TestModels.Csv(rows).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l + "\n").ToList();
        var segments = new List<string>();
        int from = 0;
        foreach (int row in pauseAfter.Append(rows.Count))
        {
            segments.Add(string.Concat(lines.Skip(from).Take(row + 1 - from)));
            from = row + 1;
        }
        return segments;
    }

    /// <summary>One CSV row of <paramref name="row"/> under <paramref name="id"/> (quoted as given).</summary>
    public static string Line(string id, TestModels.Row row) =>
        id + "," + string.Join(',', row.Values.Select(v => v.ToString("R", CultureInfo.InvariantCulture))) + "\n";
}

/// <summary>The measurements of <see cref="ScoringMeter.InboxFilesIncomplete"/> made by one host's meters, by error.type.</summary>
internal sealed class IncompleteFiles : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly List<string> _reasons = [];

    public IncompleteFiles(IServiceProvider services)
    {
        var meters = services.GetRequiredService<IMeterFactory>();
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter.Scope, meters) && instrument.Name == ScoringMeter.InboxFilesIncomplete) listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            foreach (var tag in tags)
                if (tag.Key == ScoringMeter.ErrorType)
                    lock (_reasons) _reasons.AddRange(Enumerable.Repeat((string)tag.Value!, (int)value));
        });
        _listener.Start();
    }

    public string[] Reasons
    {
        get { lock (_reasons) return [.. _reasons]; }
    }

    public void Dispose() => _listener.Dispose();
}
