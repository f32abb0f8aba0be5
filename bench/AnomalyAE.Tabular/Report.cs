using System.Text;

namespace AnomalyAE.Tabular;

/// <summary>The markdown tables of a run: per method and set, mean ± std over seeds of ROC AUC and AP, and seconds per model.</summary>
internal static class Report
{
    public static string Markdown(TabularSet[] allSets, Detector[] detectors, Measurement[] results, int[] seeds, string command, TimeSpan elapsed)
    {
        var text = new StringBuilder();
        text.AppendLine($"Command: `{command}`  ");
        text.AppendLine($"CPU: {Cpu()}; {elapsed.TotalMinutes:F1} min; seeds {string.Join(", ", seeds)}; every model on 1 thread.\n");
        foreach (var suite in allSets.Select(s => s.Suite).Distinct())
        {
            var sets = allSets.Where(s => s.Suite == suite).ToArray();
            text.AppendLine($"\n## {(suite == "adbench" ? "ADBench classical sets" : "Own sets (data/build-datasets.sh)")}: {sets.Length} sets\n");
            Suite(text, sets, detectors, results);
        }
        text.AppendLine("\n## Detectors\n");
        foreach (var d in detectors) text.AppendLine($"- **{d.Name}**: {d.Configuration}");
        text.AppendLine("- scikit-learn (`peers.py`, Debian's python3-sklearn, one thread): IsolationForest, LocalOutlierFactor, OneClassSVM, PCA, KNN with their defaults, and ECOD and HBOS written from their papers in numpy (see the script).");
        return text.ToString();
    }

    private static void Suite(StringBuilder text, TabularSet[] sets, Detector[] detectors, Measurement[] results)
    {
        var methods = detectors.Select(d => d.Name).Concat(results.Select(r => r.Method).Distinct().Order()
            .Where(m => detectors.All(d => d.Name != m))).Where(m => sets.All(s => Cell(results, s.Name, m) is not null)).ToArray();
        var peers = methods.Where(m => detectors.All(d => d.Name != m)).ToArray();
        text.AppendLine("| set | rows | features | anomalies |\n|---|---:|---:|---:|");
        foreach (var set in sets) text.AppendLine($"| {set.Name} | {set.Rows} | {set.Columns} | {set.Anomalies} ({set.Anomalies / (double)set.Rows:P1}) |");

        // Rank per set among all methods by the mean over seeds (1 = best, ties share the mean rank).
        var aucRanks = Ranks(sets, methods, results, c => c.Auc);
        var apRanks = Ranks(sets, methods, results, c => c.Ap);
        double forestTotal = sets.Sum(s => Cell(results, s.Name, "IsolationForest")?.Seconds ?? double.NaN);
        text.AppendLine("\n### Summary (means over sets of the per-set means over seeds)\n");
        text.AppendLine("| method | ROC AUC | AP | mean rank (AUC) | mean rank (AP) | seed std of AUC | seconds per model | total seconds | × IsolationForest's total |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var method in methods.OrderBy(m => -sets.Average(s => Cell(results, s.Name, m)!.Value.Auc)))
        {
            var per = sets.Select(s => Cell(results, s.Name, method)!.Value).ToArray();
            double total = per.Sum(c => c.Seconds);
            text.AppendLine($"| {method} | {per.Average(c => c.Auc):F3} | {per.Average(c => c.Ap):F3} | {aucRanks[method]:F2} | {apRanks[method]:F2} | {per.Average(c => c.AucStd):F3} | " +
                $"{per.Average(c => c.Seconds):F2} | {total:F1} | {total / forestTotal:F1} |");
        }
        if (peers.Length > 0)
        {
            text.AppendLine("\n### Sets won against each peer (ROC AUC / AP, mean over seeds)\n");
            text.AppendLine("| method | " + string.Join(" | ", peers) + " |\n|---|" + string.Concat(peers.Select(_ => "---:|")));
            foreach (var method in methods.Except(peers))
                text.AppendLine($"| {method} | " + string.Join(" | ", peers.Select(p =>
                    $"{sets.Count(s => Cell(results, s.Name, method)!.Value.Auc > Cell(results, s.Name, p)!.Value.Auc)} / " +
                    $"{sets.Count(s => Cell(results, s.Name, method)!.Value.Ap > Cell(results, s.Name, p)!.Value.Ap)}")) + " |");
        }

        foreach (var (title, pick) in new (string, Func<(double Auc, double AucStd, double Ap, double ApStd, double Seconds), string>)[]
        {
            ("ROC AUC (mean ± std over seeds)", c => $"{c.Auc:F3} ± {c.AucStd:F3}"),
            ("Average precision (mean ± std over seeds)", c => $"{c.Ap:F3} ± {c.ApStd:F3}"),
            ("Seconds per model (fit + score, mean over seeds)", c => $"{c.Seconds:F2}"),
        })
        {
            // Sets as rows (there are many), methods as columns.
            text.AppendLine($"\n### {title}\n");
            text.AppendLine("| set | " + string.Join(" | ", methods) + " |");
            text.AppendLine("|---|" + string.Concat(methods.Select(_ => "---:|")));
            foreach (var set in sets)
                text.AppendLine($"| {set.Name} | " + string.Join(" | ", methods.Select(m => Cell(results, set.Name, m) is { } c ? pick(c) : "–")) + " |");
        }

        Thresholds(text, sets, methods, results);
    }

    private static Dictionary<string, double> Ranks(TabularSet[] sets, string[] methods, Measurement[] results,
        Func<(double Auc, double AucStd, double Ap, double ApStd, double Seconds), double> value)
    {
        var sum = methods.ToDictionary(m => m, _ => 0.0);
        foreach (var set in sets)
        {
            var values = methods.ToDictionary(m => m, m => value(Cell(results, set.Name, m)!.Value));
            foreach (var m in methods)
                sum[m] += 1 + values.Values.Count(v => v > values[m]) + 0.5 * (values.Values.Count(v => v == values[m]) - 1);
        }
        return methods.ToDictionary(m => m, m => sum[m] / sets.Length);
    }

    /// <summary>
    /// F1 at the detector's automatic threshold and at the true contamination, and the calibration of its probability (Brier
    /// score, expected calibration error over 10 bins), for the methods that report them; per set, means over seeds.
    /// </summary>
    private static void Thresholds(StringBuilder text, TabularSet[] sets, string[] methods, Measurement[] results)
    {
        var deciding = methods.Where(m => results.Any(r => r.Method == m && r.F1Automatic is not null)).ToArray();
        if (deciding.Length == 0) return;
        double? Mean(string set, string method, Func<Measurement, double?> pick)
        {
            var values = results.Where(r => r.Set == set && r.Method == method).Select(pick).Where(v => v is not null).ToArray();
            return values.Length == 0 ? null : values.Average(v => v!.Value);
        }
        string Format(double? value) => value is double v ? v.ToString("F3") : "–";
        string MeanOverSets(string method, Func<Measurement, double?> pick) =>
            sets.Select(s => Mean(s.Name, method, pick)).ToArray() is var per && per.All(v => v is not null) ? Format(per.Average()) : "–";

        text.AppendLine("\n### Thresholds and calibration (means over sets of the per-set means over seeds)\n");
        text.AppendLine("F1 at the automatic threshold (ours: `Contamination = null`, median + 3·1.4826·MAD of the training scores; IsolationForest: " +
            "`contamination='auto'`), F1 when told the true contamination, and the Brier score and expected calibration error (ECE, 10 bins) of " +
            "`Probability` against the labels. References: the Brier score of a constant 0 is the anomaly rate p, of the constant p itself p·(1 − p); the oracle is isotonic regression " +
            "of the labels on the score, the best any non-decreasing map of this score could do, so Brier − oracle is the calibration's share " +
            "of the error and the oracle's own error the ranking's.\n");
        text.AppendLine("| method | F1 of PredictedLabel | F1 at true contamination | F1, 0.9 quantile | F1, median + 3 MAD | F1, POT | Brier | ECE | mean probability | Brier of the labels' best monotone map (oracle) |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var method in deciding)
            text.AppendLine($"| {method} | {MeanOverSets(method, r => r.F1Automatic)} | {MeanOverSets(method, r => r.F1AtContamination)} | " +
                $"{MeanOverSets(method, r => r.F1Quantile10)} | {MeanOverSets(method, r => r.F1Mad)} | {MeanOverSets(method, r => r.F1Pot)} | " +
                $"{MeanOverSets(method, r => r.Brier)} | {MeanOverSets(method, r => r.CalibrationError)} | {MeanOverSets(method, r => r.MeanProbability)} | " +
                $"{MeanOverSets(method, r => r.OracleBrier)} |");
        double rate = sets.Average(s => s.Anomalies / (double)s.Rows);
        double constantBrier = sets.Average(s => s.Anomalies / (double)s.Rows * (1 - s.Anomalies / (double)s.Rows));
        text.AppendLine($"| (constant 0) | – | – | – | – | – | {rate:F3} | {rate:F3} | 0 | – |");
        text.AppendLine($"| (constant at each set's anomaly rate p: p·(1 − p)) | – | – | – | – | – | {constantBrier:F3} | 0 | {rate:F3} | – |");

        foreach (var (title, pick) in new (string, Func<Measurement, double?>)[]
        {
            ("F1 of PredictedLabel (the detector's default threshold)", r => r.F1Automatic),
            ("F1 at the true contamination", r => r.F1AtContamination),
            ("F1 at the 0.9 quantile", r => r.F1Quantile10),
            ("F1 at median + 3 MAD", r => r.F1Mad),
            ("F1 at the POT threshold", r => r.F1Pot),
            ("Brier score of Probability", r => r.Brier),
            ("Expected calibration error of Probability", r => r.CalibrationError),
            ("Mean probability (the anomaly rate when calibrated in the large)", r => r.MeanProbability),
            ("Brier score of the labels' best monotone map of the score (oracle)", r => r.OracleBrier),
        })
        {
            var shown = deciding.Where(m => results.Any(r => r.Method == m && pick(r) is not null)).ToArray();
            if (shown.Length == 0) continue;
            text.AppendLine($"\n#### {title} (mean over seeds)\n");
            text.AppendLine("| set | " + string.Join(" | ", shown) + " |");
            text.AppendLine("|---|" + string.Concat(shown.Select(_ => "---:|")));
            foreach (var set in sets)
                text.AppendLine($"| {set.Name} | " + string.Join(" | ", shown.Select(m => Format(Mean(set.Name, m, pick)))) + " |");
        }
    }

    private static (double Auc, double AucStd, double Ap, double ApStd, double Seconds)? Cell(Measurement[] results, string set, string method)
    {
        var runs = results.Where(r => r.Set == set && r.Method == method).ToArray();
        if (runs.Length == 0) return null;
        var (auc, aucStd) = Spread(runs.Select(r => r.Auc).ToArray());
        var (ap, apStd) = Spread(runs.Select(r => r.AveragePrecision).ToArray());
        return (auc, aucStd, ap, apStd, runs.Average(r => r.Seconds));
    }

    private static (double Mean, double Std) Spread(double[] values)
    {
        double mean = values.Average();
        return (mean, Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / Math.Max(1, values.Length - 1)));
    }

    public static string Cpu()
    {
        var model = File.Exists("/proc/cpuinfo") ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name")) : null;
        return $"{model?.Split(':', 2)[1].Trim() ?? "unknown CPU"}, {Environment.ProcessorCount} cores";
    }
}
