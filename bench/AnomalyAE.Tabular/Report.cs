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

        text.AppendLine("\n### Detectors\n");
        foreach (var d in detectors) text.AppendLine($"- **{d.Name}**: {d.Configuration}");
        text.AppendLine("- scikit-learn (`peers.py`, Debian's python3-sklearn, one thread): IsolationForest, LocalOutlierFactor, OneClassSVM, PCA, KNN with their defaults (see the script).");
        return text.ToString();
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
