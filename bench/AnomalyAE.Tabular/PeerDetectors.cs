using System.Text.Json;

namespace AnomalyAE.Tabular;

/// <summary>scikit-learn's detectors (peers.py, run with Debian's python3-sklearn on one thread) on one set.</summary>
internal static class PeerDetectors
{
    /// <summary>Runs peers.py on <paramref name="csv"/>; <paramref name="methods"/> (comma-separated) limits the detectors.</summary>
    public static IReadOnlyList<Measurement> Run(string script, string csv, int[] seeds, string? methods = null, string? scoresFolder = null)
    {
        List<string> arguments = ["--data", csv, "--seeds", string.Join(",", seeds)];
        if (methods is not null) arguments.AddRange(["--methods", methods]);
        if (scoresFolder is not null) arguments.AddRange(["--scores", scoresFolder]);
        return PythonScript.Run(script, arguments, csv).Select(json =>
        {
            double? Optional(string name) => json.TryGetProperty(name, out var value) ? value.GetDouble() : null;
            return new Measurement(json.GetProperty("set").GetString()!, json.GetProperty("method").GetString()!, json.GetProperty("seed").GetInt32(),
                json.GetProperty("auc").GetDouble(), json.GetProperty("ap").GetDouble(), json.GetProperty("seconds").GetDouble())
            {
                F1Automatic = Optional("f1_auto"),
                F1AtContamination = Optional("f1_true"),
            };
        }).ToList();
    }
}

/// <summary>
/// One detector's result on one set and seed; for detectors that decide and calibrate, the F1 at their automatic threshold
/// and at the true contamination, and the Brier score and expected calibration error of their probability.
/// </summary>
internal sealed record Measurement(string Set, string Method, int Seed, double Auc, double AveragePrecision, double Seconds)
{
    public double? F1Automatic { get; init; }
    public double? F1AtContamination { get; init; }
    /// <summary>F1 of three label-free threshold rules on the same scores: the 0.9 quantile (<c>Contamination = 0.1</c>), median + 3 MAD, peaks over threshold.</summary>
    public double? F1Quantile10 { get; init; }
    public double? F1Mad { get; init; }
    public double? F1Pot { get; init; }
    public double? Brier { get; init; }
    public double? CalibrationError { get; init; }
    /// <summary>The mean probability over the rows: calibrated in the large, it equals the anomaly rate.</summary>
    public double? MeanProbability { get; init; }
    /// <summary>The Brier score of the best monotone map of the score, fitted on the labels (<see cref="ThresholdMetrics.OracleBrier"/>).</summary>
    public double? OracleBrier { get; init; }
}
