using System.Diagnostics;
using System.Text.Json;

namespace AnomalyAE.Tabular;

/// <summary>scikit-learn's detectors (peers.py, run with Debian's python3-sklearn on one thread) on one set.</summary>
internal static class PeerDetectors
{
    public const string Python = "/usr/bin/python3";

    public static IReadOnlyList<Measurement> Run(string script, string csv, int[] seeds)
    {
        var start = new ProcessStartInfo(Python) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { script, "--data", csv, "--seeds", string.Join(",", seeds) }) start.ArgumentList.Add(arg);
        start.Environment["OMP_NUM_THREADS"] = "1";
        start.Environment["OPENBLAS_NUM_THREADS"] = "1";
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Cannot start {Python}.");
        var stderr = process.StandardError.ReadToEndAsync();
        var lines = new List<string>();
        while (process.StandardOutput.ReadLine() is { } line) lines.Add(line);
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"peers.py failed on {csv} (exit {process.ExitCode}): {stderr.Result}");
        return lines.Where(l => l.StartsWith('{')).Select(l =>
        {
            var json = JsonDocument.Parse(l).RootElement;
            return new Measurement(json.GetProperty("set").GetString()!, json.GetProperty("method").GetString()!, json.GetProperty("seed").GetInt32(),
                json.GetProperty("auc").GetDouble(), json.GetProperty("ap").GetDouble(), json.GetProperty("seconds").GetDouble());
        }).ToList();
    }
}

/// <summary>One detector's result on one set and seed.</summary>
internal sealed record Measurement(string Set, string Method, int Seed, double Auc, double AveragePrecision, double Seconds);
