using System.Text;

namespace AnomalyAE.Tabular;

/// <summary>The markdown tables of a run: per method and set, mean ± std over seeds of ROC AUC and AP, and seconds per model.</summary>
internal static class Report
{
    public static string Markdown(TabularSet[] sets, Detector[] detectors, Measurement[] results, int[] seeds, string command, TimeSpan elapsed)
    {
        var methods = detectors.Select(d => d.Name).Concat(results.Select(r => r.Method).Distinct().Order()
            .Where(m => detectors.All(d => d.Name != m))).ToArray();
        var text = new StringBuilder();
        text.AppendLine($"Command: `{command}`  ");
        text.AppendLine($"CPU: {Cpu()}; {elapsed.TotalMinutes:F1} min; seeds {string.Join(", ", seeds)}; every model on 1 thread.\n");

        text.AppendLine("| set | rows | features | anomalies |\n|---|---:|---:|---:|");
        foreach (var set in sets) text.AppendLine($"| {set.Name} | {set.Rows} | {set.Columns} | {set.Anomalies} ({set.Anomalies / (double)set.Rows:P1}) |");

        text.AppendLine("\n### Summary (means over sets of the per-set means over seeds)\n");
        text.AppendLine("| method | ROC AUC | AP | seed std of AUC | sets won vs IsolationForest (AUC) | seconds per model |\n|---|---:|---:|---:|---:|---:|");
        foreach (var method in methods)
        {
            var per = sets.Select(s => Cell(results, s.Name, method)).ToArray();
            if (per.Any(c => c is null)) continue;
            int wins = sets.Count(s => Cell(results, s.Name, "IsolationForest") is { } forest && Cell(results, s.Name, method)!.Value.Auc > forest.Auc);
            text.AppendLine($"| {method} | {per.Average(c => c!.Value.Auc):F3} | {per.Average(c => c!.Value.Ap):F3} | {per.Average(c => c!.Value.AucStd):F3} | " +
                $"{wins}/{sets.Length} | {per.Average(c => c!.Value.Seconds):F2} |");
        }

        foreach (var (title, pick) in new (string, Func<(double Auc, double AucStd, double Ap, double ApStd, double Seconds), string>)[]
        {
            ("ROC AUC (mean ± std over seeds)", c => $"{c.Auc:F3} ± {c.AucStd:F3}"),
            ("Average precision (mean ± std over seeds)", c => $"{c.Ap:F3} ± {c.ApStd:F3}"),
            ("Seconds per model (fit + score, mean over seeds)", c => $"{c.Seconds:F2}"),
        })
        {
            text.AppendLine($"\n### {title}\n");
            text.AppendLine("| method | " + string.Join(" | ", sets.Select(s => s.Name)) + " |");
            text.AppendLine("|---|" + string.Concat(sets.Select(_ => "---:|")));
            foreach (var method in methods)
                text.AppendLine($"| {method} | " + string.Join(" | ", sets.Select(s => Cell(results, s.Name, method) is { } c ? pick(c) : "–")) + " |");
        }

        Thresholds(text, sets, methods, results);

        text.AppendLine("\n### Detectors\n");
        foreach (var d in detectors) text.AppendLine($"- **{d.Name}**: {d.Configuration}");
        text.AppendLine("- scikit-learn (`peers.py`, Debian's python3-sklearn, one thread): IsolationForest, LocalOutlierFactor, OneClassSVM, PCA, KNN with their defaults (see the script).");
        return text.ToString();
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
            "`Probability` against the labels. References: the Brier score of a constant 0 is the anomaly rate; the oracle is isotonic regression " +
            "of the labels on the score, the best any non-decreasing map of this score could do, so Brier − oracle is the calibration's share " +
            "of the error and the oracle's own error the ranking's.\n");
        text.AppendLine("| method | F1 automatic | F1 at true contamination | Brier | ECE | mean probability | Brier of the labels' best monotone map (oracle) |\n|---|---:|---:|---:|---:|---:|---:|");
        foreach (var method in deciding)
            text.AppendLine($"| {method} | {MeanOverSets(method, r => r.F1Automatic)} | {MeanOverSets(method, r => r.F1AtContamination)} | " +
                $"{MeanOverSets(method, r => r.Brier)} | {MeanOverSets(method, r => r.CalibrationError)} | {MeanOverSets(method, r => r.MeanProbability)} | " +
                $"{MeanOverSets(method, r => r.OracleBrier)} |");
        double rate = sets.Average(s => s.Anomalies / (double)s.Rows);
        text.AppendLine($"| (constant 0; the anomaly rate) | – | – | {rate:F3} | {rate:F3} | {rate:F3} | – |");

        foreach (var (title, pick) in new (string, Func<Measurement, double?>)[]
        {
            ("F1 at the automatic threshold", r => r.F1Automatic),
            ("F1 at the true contamination", r => r.F1AtContamination),
            ("Brier score of Probability", r => r.Brier),
            ("Expected calibration error of Probability", r => r.CalibrationError),
            ("Mean probability (the anomaly rate when calibrated in the large)", r => r.MeanProbability),
            ("Brier score of the labels' best monotone map of the score (oracle)", r => r.OracleBrier),
        })
        {
            var shown = deciding.Where(m => results.Any(r => r.Method == m && pick(r) is not null)).ToArray();
            if (shown.Length == 0) continue;
            text.AppendLine($"\n#### {title} (mean over seeds)\n");
            text.AppendLine("| method | " + string.Join(" | ", sets.Select(s => s.Name)) + " |");
            text.AppendLine("|---|" + string.Concat(sets.Select(_ => "---:|")));
            foreach (var method in shown)
                text.AppendLine($"| {method} | " + string.Join(" | ", sets.Select(s => Format(Mean(s.Name, method, pick)))) + " |");
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
