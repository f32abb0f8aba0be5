using AnomalyAE.TimeSeries.Evaluation.Data;
using AnomalyAE.TimeSeries.Evaluation.Detectors;
using AnomalyAE.TimeSeries.Evaluation.Metrics;

namespace AnomalyAE.TimeSeries;

/// <summary>
/// One detector's NAB score over the corpus for one seed: the three profiles at the thresholds NAB's optimizer picks on the
/// labels, and the standard profile at the label-free default threshold (robust z ≥ 3).
/// </summary>
internal sealed record NabCorpusResult(string Detector, int Seed, double Standard, double RewardLowFalsePositives, double RewardLowFalseNegatives,
    double StandardAtDefault, double StandardThreshold)
{
    public static NabCorpusResult Compute(NabFile[] files, IEnumerable<SeriesResult> results, string detector, int seed)
    {
        var bySeries = results.Where(r => r.Dataset == "NAB" && r.Detector == detector && r.Seed == seed).ToDictionary(r => r.Series);
        var scored = files.Select(f =>
        {
            var full = new double[f.Rows]; // the probationary rows are not scored
            bySeries[f.Name].Z.CopyTo(full, f.Probation);
            return new NabScoredFile(f.Name, f.Rows, f.Windows, full);
        }).ToArray();
        int windows = files.Sum(f => f.Windows.Length);
        double Normalized(NabProfile profile, double raw) => NabScorer.Normalize(raw, NabScorer.NullScore(scored, profile), windows, profile);
        var optimized = NabProfile.All.Select(p => NabScorer.Optimize(scored, p)).ToArray();
        return new NabCorpusResult(detector, seed,
            Normalized(NabProfile.Standard, optimized[0].RawScore),
            Normalized(NabProfile.RewardLowFalsePositives, optimized[1].RawScore),
            Normalized(NabProfile.RewardLowFalseNegatives, optimized[2].RawScore),
            Normalized(NabProfile.Standard, NabScorer.Score(scored, Thresholds.DefaultZ, NabProfile.Standard)),
            optimized[0].Threshold);
    }
}

/// <summary>What a run writes beside its report (bench/TIMESERIES.json), and what <c>--merge</c> reads back.</summary>
internal sealed record RunResults(string Command, Dictionary<string, string> Descriptions, List<SeriesResult> Series, List<NabCorpusResult> Nab);
