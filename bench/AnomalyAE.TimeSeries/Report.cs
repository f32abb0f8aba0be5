using System.Globalization;
using System.Text;
using System.Text.Json;
using AnomalyAE.TimeSeries.Evaluation.Data;
using AnomalyAE.TimeSeries.Evaluation.Detectors;
using AnomalyAE.TimeSeries.Evaluation.Metrics;

namespace AnomalyAE.TimeSeries;

/// <summary>bench/TIMESERIES.md: command and CPU, per-dataset summaries (mean over series, mean ± std over seeds), the NAB scores, per-series VUS-PR.</summary>
internal static class Report
{
    public static string Markdown(string command, TimeSpan elapsed, int[] seeds, string[] detectors, IReadOnlyDictionary<string, string> descriptions,
        List<SeriesTask> tasks, NabFile[] nabFiles, List<SeriesResult> results, List<NabCorpusResult> nab, string nabFolder)
    {
        var text = new StringBuilder();
        text.AppendLine("# Time-series benchmark: NAB and NASA MSL\n");
        text.AppendLine($"Command: `{command}`  ");
        text.AppendLine($"CPU: {Machine.Cpu()}, {Environment.ProcessorCount} cores; {elapsed.TotalMinutes:F1} min; seeds {string.Join(", ", seeds)}; " +
            "every detector on one thread; written by `bench/AnomalyAE.TimeSeries` (see its README for the protocol and the data).\n");
        text.AppendLine("Targets of the sequence autoencoder (issue #25): the best mean VUS-PR on both datasets, and a NAB standard score above " +
            "Numenta HTM's 70.1.\n");
        text.AppendLine("Every number is a mean over the series whose scored rows hold a labeled anomaly (NAB: the rows after the probationary part); " +
            "with several seeds, the mean over seeds ± the standard deviation of the per-seed means. F1 columns flag rows at the label-free default " +
            "threshold (robust z ≥ 3 over the training scores). Point-adjusted F1 is shown only beside the others: it rates random scores as state of " +
            "the art (Kim et al., AAAI 2022).\n");

        if (nabFiles.Length > 0) Nab(text, seeds, detectors, tasks, nabFiles, results, nab, nabFolder);
        if (tasks.Any(t => t.Dataset == "MSL")) Msl(text, seeds, detectors, tasks, results);

        text.AppendLine("\n## Detectors\n");
        foreach (var d in detectors) text.AppendLine($"- **{d}**: {descriptions.GetValueOrDefault(d, "")}");
        text.AppendLine("- Window length w per series: the dominant period of the training rows (first channel), as TSB-AD chooses it " +
            $"(`WindowLength`: highest autocorrelation peak among lags {WindowLength.MinimumLag}–{WindowLength.MaximumLag}, else {WindowLength.Fallback}); " +
            "it is also VUS-PR's largest buffer L.");

        foreach (var dataset in new[] { "NAB", "MSL" })
        {
            var series = tasks.Where(t => t.Dataset == dataset).ToArray();
            if (series.Length == 0) continue;
            text.AppendLine($"\n## {dataset}: VUS-PR per series (mean over seeds; – = no labeled anomaly in the scored rows)\n");
            text.AppendLine("| series | w | " + string.Join(" | ", detectors) + " |");
            text.AppendLine("|---|---:|" + string.Concat(detectors.Select(_ => "---:|")));
            foreach (var task in series)
                text.AppendLine($"| {task.Name} | {task.Window} | " + string.Join(" | ", detectors.Select(d =>
                    results.Where(r => r.Series == task.Name && r.Detector == d && r.VusPr is not null).Select(r => r.VusPr!.Value).ToArray() is { Length: > 0 } v
                        ? v.Average().ToString("F3", CultureInfo.InvariantCulture) : "–")) + " |");
        }
        return text.ToString();
    }

    private static void Nab(StringBuilder text, int[] seeds, string[] detectors, List<SeriesTask> tasks, NabFile[] files, List<SeriesResult> results,
        List<NabCorpusResult> nab, string nabFolder)
    {
        var nabTasks = tasks.Where(t => t.Dataset == "NAB").ToArray();
        int windows = files.Sum(f => f.Windows.Length);
        text.AppendLine($"## NAB ({files.Length} files, {files.Sum(f => f.Rows):N0} rows, {windows} windows; " +
            $"{nabTasks.Count(t => t.TestLabels().Any(l => l))} files with a window in the scored rows)\n");
        text.AppendLine("Online: each detector learns from a file's probationary part (its first min(15 %, 750) rows) and scores every later row from " +
            "a window ending at that row. NAB score by our implementation of NAB's rules (`NabScorer`): *optimized* = one threshold for all files " +
            "chosen per profile on the labels by NAB's optimizer, as the published scoreboard was made (for that comparison only); *default* = our " +
            "label-free threshold, robust z ≥ 3, no labels used.\n");
        text.AppendLine("| detector | NAB standard (optimized) | reward low FP (optimized) | reward low FN (optimized) | NAB standard (default threshold) | VUS-PR | ROC-AUC | PR-AUC | range F1 | point-adjusted F1 | seconds per file |");
        text.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var detector in detectors)
        {
            var perSeed = nab.Where(n => n.Detector == detector).OrderBy(n => n.Seed).ToArray();
            string Nab(Func<NabCorpusResult, double> pick) => perSeed.Length == 0 ? "–" : Spread(perSeed.Select(pick).ToArray(), "F1");
            text.AppendLine($"| {detector} | {Nab(n => n.Standard)} | {Nab(n => n.RewardLowFalsePositives)} | {Nab(n => n.RewardLowFalseNegatives)} | " +
                $"{Nab(n => n.StandardAtDefault)} | {Metrics(results, "NAB", detector, seeds)} |");
        }
        text.AppendLine("\nDrift after the probationary part, at the default threshold (seed " + seeds[0] + "): files where the detector flags more than half " +
            "of the scored rows, and the median over files of the largest robust z (how far a file's scores reach in the units of the one NAB threshold).\n");
        text.AppendLine("| detector | files with > 50 % flagged | median largest z |\n|---|---:|---:|");
        foreach (var detector in detectors)
        {
            var rows = results.Where(r => r.Dataset == "NAB" && r.Detector == detector && r.Seed == seeds[0]).ToArray();
            if (rows.Length == 0) continue;
            var maxima = rows.Select(r => r.MaxZ).Order().ToArray();
            string median = maxima.All(m => m == 0) ? "–" : maxima[maxima.Length / 2].ToString("G3", CultureInfo.InvariantCulture);
            text.AppendLine($"| {detector} | {rows.Count(r => r.FlaggedShare > 0.5)} of {rows.Length} | {median} |");
        }

        // ../shared/data keeps it beside the data; a clone of NAB has it under results/.
        var scoreboard = new[] { "final_results.json", Path.Combine("results", "final_results.json") }
            .Select(p => Path.Combine(nabFolder, p)).FirstOrDefault(File.Exists);
        if (scoreboard is null) return;
        using var json = JsonDocument.Parse(File.ReadAllText(scoreboard));
        text.AppendLine("\nNAB's published scoreboard (`nab/final_results.json`, thresholds optimized on the labels by NAB):\n");
        text.AppendLine("| detector | standard | reward low FP | reward low FN |\n|---|---:|---:|---:|");
        foreach (var entry in json.RootElement.EnumerateObject().OrderByDescending(e => e.Value.GetProperty("standard").GetDouble()))
            text.AppendLine($"| {entry.Name} | {entry.Value.GetProperty("standard").GetDouble():F1} | " +
                $"{entry.Value.GetProperty("reward_low_FP_rate").GetDouble():F1} | {entry.Value.GetProperty("reward_low_FN_rate").GetDouble():F1} |");
        text.AppendLine("\nFor orientation, TSB-AD's published univariate VUS-PR means (other series, other protocol): Sub-PCA 0.42, USAD 0.36, SR 0.32, IForest 0.30, AE 0.26.");
    }

    private static void Msl(StringBuilder text, int[] seeds, string[] detectors, List<SeriesTask> tasks, List<SeriesResult> results)
    {
        var msl = tasks.Where(t => t.Dataset == "MSL").ToArray();
        text.AppendLine($"\n## NASA MSL ({msl.Length} channels, {msl.Sum(t => t.TrainRows):N0} training and {msl.Sum(t => t.TestRows):N0} test rows, " +
            $"{msl[0].Dimensions} columns)\n");
        text.AppendLine("Each detector learns from a channel's train file and scores its test file in order (a window ending at each row; the first " +
            "rows' windows repeat the first test row).\n");
        text.AppendLine("| detector | VUS-PR | ROC-AUC | PR-AUC | range F1 | point-adjusted F1 | seconds per channel |");
        text.AppendLine("|---|---:|---:|---:|---:|---:|---:|");
        foreach (var detector in detectors) text.AppendLine($"| {detector} | {Metrics(results, "MSL", detector, seeds)} |");
        text.AppendLine("\nFor orientation, TSB-AD's published multivariate VUS-PR means (other series, other protocol): OmniAnomaly 0.31, PCA 0.31, USAD 0.30, AE 0.30.");
    }

    /// <summary>VUS-PR | ROC-AUC | PR-AUC | range F1 | point-adjusted F1 | seconds, each a mean over series per seed, then over the detector's seeds.</summary>
    private static string Metrics(List<SeriesResult> results, string dataset, string detector, int[] seeds)
    {
        var rows = results.Where(r => r.Dataset == dataset && r.Detector == detector).ToArray();
        if (rows.Length == 0) return "not run | | | | |";
        string Column(Func<SeriesResult, double?> pick, string format = "F3") => Spread(rows.Select(r => r.Seed).Distinct().Order().Select(seed =>
            rows.Where(r => r.Seed == seed).Select(pick).Where(v => v is not null).Select(v => v!.Value).DefaultIfEmpty(double.NaN).Average()).ToArray(), format);
        return string.Join(" | ", Column(r => r.VusPr), Column(r => r.RocAuc), Column(r => r.PrAuc), Column(r => r.RangeF1),
            Column(r => r.PointAdjustedF1), Column(r => r.Seconds, "F2"));
    }

    private static string Spread(double[] perSeed, string format)
    {
        double mean = perSeed.Average();
        string text = mean.ToString(format, CultureInfo.InvariantCulture);
        if (perSeed.Length < 2) return text;
        double std = Math.Sqrt(perSeed.Sum(v => (v - mean) * (v - mean)) / (perSeed.Length - 1));
        // A detector that ignores the seed repeats its numbers; summing in another order may still leave a few ulps.
        return std <= 1e-9 * Math.Max(1, Math.Abs(mean)) ? text : $"{text} ± {std.ToString(format, CultureInfo.InvariantCulture)}";
    }
}
