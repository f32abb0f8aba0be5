using System.Text.Json.Serialization;
using AnomalyAE.TimeSeries.Evaluation.Data;
using AnomalyAE.TimeSeries.Evaluation.Detectors;
using AnomalyAE.TimeSeries.Evaluation.Metrics;

namespace AnomalyAE.TimeSeries;

/// <summary>
/// One detector's result on one series and seed. The rank metrics are null when the scored rows hold no labeled anomaly
/// (they are then undefined). <see cref="Z"/>: the test scores in units of the training scores' robust spread, kept for
/// the corpus-level NAB score.
/// </summary>
internal sealed record SeriesResult(string Dataset, string Series, string Detector, int Seed, double Seconds,
    double? VusPr, double? RocAuc, double? PrAuc, double? RangeF1, double? PointAdjustedF1, double FlaggedShare)
{
    /// <summary>The largest robust z of the test rows: how far this series' scores reach in the units NAB's single threshold sees.</summary>
    public double MaxZ { get; init; }

    [JsonIgnore] public double[] Z { get; init; } = [];

    /// <summary>Every metric of <paramref name="scores"/> on <paramref name="task"/>; flags at the label-free default threshold.</summary>
    public static SeriesResult Measure(SeriesTask task, string detector, int seed, DetectorScores scores, double seconds)
    {
        if (scores.Test.Length != task.TestRows) throw new InvalidDataException($"{detector} gave {scores.Test.Length} scores for {task.TestRows} rows of {task.Name}.");
        var z = Thresholds.RobustZ(scores.Test, scores.Train);
        var flagged = z.Select(v => v >= Thresholds.DefaultZ).ToArray();
        var labels = task.TestLabels();
        bool any = labels.Any(l => l);
        return new SeriesResult(task.Dataset, task.Name, detector, seed, seconds,
            any ? VolumeUnderSurface.VusPr(z, labels, task.Window) : null,
            any ? RankMetrics.RocAuc(z, labels) : null,
            any ? RankMetrics.AveragePrecision(z, labels) : null,
            any ? RangeMetrics.RangeBased(flagged, labels).F1 : null,
            any ? RangeMetrics.PointAdjusted(flagged, labels).F1 : null,
            flagged.Count(f => f) / (double)flagged.Length)
        { Z = z, MaxZ = z.Max() };
    }
}
