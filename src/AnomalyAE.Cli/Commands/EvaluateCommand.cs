using System.ComponentModel;
using System.Text.Json;
using AnomalyAE.Cli.Tables;
using Microsoft.ML;
using Spectre.Console;
using Spectre.Console.Cli;

namespace AnomalyAE.Cli.Commands;

/// <summary>anomalyae evaluate: detection quality of a saved model on labelled data (label ≠ 0 = anomaly).</summary>
internal sealed class EvaluateCommand : Command<EvaluateCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--model <MODEL>"), Description("Saved model (.aeml or .onnx); - for standard input.")] public string Model { get; init; } = "";
        [CommandOption("--data <FILE>"), Description("Labelled CSV; - for standard input.")] public string Data { get; init; } = "";
        [CommandOption("--label-column <NAME>"), Description("Column with 0 for normal rows and 1 for anomalies.")] public string LabelColumn { get; init; } = "label";
        [CommandOption("--id-column <NAME>"), Description("Text column that identifies a row, not a feature (default: 'id' if present).")] public string? IdColumn { get; init; }
        [CommandOption("--false-positives <K>"), Description("k for the detection rate at k false positives.")] public int FalsePositives { get; init; } = 10;
        [CommandOption("--json"), Description("Print the metrics as JSON.")] public bool Json { get; init; }

        public override ValidationResult Validate() =>
            string.IsNullOrWhiteSpace(Model) || string.IsNullOrWhiteSpace(Data)
                ? ValidationResult.Error("--model MODEL and --data FILE are required.")
                : ValidationResult.Success();
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var scored = ScoredTable.Score(settings.Model, settings.Data, settings.LabelColumn, settings.IdColumn, vectors: false);
        var labels = scored.Labels();
        // Rows without a score (a sequence model's first rows of each series) are left out of every metric.
        var kept = Enumerable.Range(0, scored.Scores.Length).Where(i => !float.IsNaN(scored.Scores[i])).ToArray();
        if (kept.Length < scored.Scores.Length)
            Serilog.Log.Information("{Unscored} rows have no score (the first rows of each series, before a full window) and are left out of the metrics", scored.Scores.Length - kept.Length);
        var metrics = DetectionMetrics.Compute([.. kept.Select(i => scored.Scores[i])], [.. kept.Select(i => scored.Predicted[i])], [.. kept.Select(i => labels[i])],
            settings.FalsePositives, scored.Table.Csv.Path);
        if (settings.Json)
        {
            Console.Out.WriteLine(JsonSerializer.Serialize(metrics, new JsonSerializerOptions { WriteIndented = true }));
            return 0;
        }
        var table = new Table().AddColumn("metric").AddColumn(new TableColumn("value").RightAligned());
        table.AddRow("rows (anomalies)", $"{metrics.Rows} ({metrics.Anomalies})");
        table.AddRow("ROC AUC", $"{metrics.RocAuc:F4}");
        table.AddRow("average precision", $"{metrics.AveragePrecision:F4}");
        table.AddRow($"detection rate at {metrics.FalsePositiveCount} false positives", $"{metrics.DetectionRateAtFalsePositives:P1}");
        table.AddRow($"threshold", $"{scored.Threshold:G6}");
        table.AddRow("true positives / false positives", $"{metrics.TruePositives} / {metrics.FalsePositives}");
        table.AddRow("true negatives / false negatives", $"{metrics.TrueNegatives} / {metrics.FalseNegatives}");
        table.AddRow("precision / recall at the threshold", $"{metrics.Precision:F3} / {metrics.Recall:F3}");
        AnsiConsole.Write(table);
        return 0;
    }
}

/// <summary>Ranking and threshold metrics of anomaly scores against labels.</summary>
internal sealed record DetectionMetrics(int Rows, int Anomalies, double RocAuc, double AveragePrecision, int FalsePositiveCount, double DetectionRateAtFalsePositives,
    int TruePositives, int FalsePositives, int TrueNegatives, int FalseNegatives, double Precision, double Recall)
{
    public static DetectionMetrics Compute(float[] scores, bool[] predicted, bool[] labels, int k, string source)
    {
        int positives = labels.Count(l => l), negatives = labels.Length - positives;
        if (positives == 0 || negatives == 0)
            throw new CliException($"{source}: the label column must hold both normal (0) and anomalous (non-zero) rows; found {positives} anomalies and {negatives} normal rows.");
        var order = Enumerable.Range(0, scores.Length).OrderByDescending(i => scores[i]).ToArray();

        // ROC AUC by the rank-sum (Mann–Whitney) statistic, ties counted half.
        var ranks = new double[scores.Length];
        var ascending = order.Reverse().ToArray();
        for (int i = 0; i < ascending.Length;)
        {
            int j = i;
            while (j + 1 < ascending.Length && scores[ascending[j + 1]] == scores[ascending[i]]) j++;
            for (int t = i; t <= j; t++) ranks[ascending[t]] = (i + j) / 2.0 + 1;
            i = j + 1;
        }
        double rankSum = ranks.Where((_, i) => labels[i]).Sum();
        double auc = (rankSum - positives * (positives + 1) / 2.0) / ((double)positives * negatives);

        double averagePrecision = 0;
        int hits = 0, falseSeen = 0, detectedAtK = 0;
        for (int n = 0; n < order.Length; n++)
        {
            if (labels[order[n]]) { hits++; averagePrecision += (double)hits / (n + 1); }
            else falseSeen++;
            if (falseSeen <= k) detectedAtK = hits;
        }
        averagePrecision /= positives;

        int tp = 0, fp = 0, tn = 0, fn = 0;
        for (int i = 0; i < labels.Length; i++)
        {
            if (predicted[i] && labels[i]) tp++;
            else if (predicted[i]) fp++;
            else if (labels[i]) fn++;
            else tn++;
        }
        return new DetectionMetrics(labels.Length, positives, auc, averagePrecision, k, (double)detectedAtK / positives, tp, fp, tn, fn,
            tp + fp == 0 ? 0 : (double)tp / (tp + fp), (double)tp / positives);
    }
}
