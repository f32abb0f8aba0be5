using System.ComponentModel;
using AnomalyAE.Cli.Tables;
using Serilog;
using Spectre.Console;
using Spectre.Console.Cli;

namespace AnomalyAE.Cli.Commands;

/// <summary>anomalyae score: every input column, then the model's score, predicted-label and probability columns (Score, PredictedLabel and Probability unless renamed), and latent/reconstruction columns and the top feature contributions (--explain K) on request.</summary>
internal sealed class ScoreCommand : Command<ScoreCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--model <MODEL>"), Description("Saved model (.aeml); - for standard input.")] public string Model { get; init; } = "";
        [CommandOption("--data <FILE>"), Description("CSV to score; - for standard input.")] public string Data { get; init; } = "";
        [CommandOption("--out <FILE>"), Description("Scored CSV to write (atomically); - for standard output.")] public string Out { get; init; } = "";
        [CommandOption("--latent"), Description("Add latent_0 … latent_k-1 columns.")] public bool Latent { get; init; }
        [CommandOption("--reconstruction"), Description("Add reconstruction_<feature> columns (in the model's normalized space).")] public bool Reconstruction { get; init; }
        [CommandOption("--explain <K>"), Description("Add top1_feature, top1_share … topK_feature, topK_share: the K features with the largest shares of the row's reconstruction error.")] public int? Explain { get; init; }
        [CommandOption("--label-column <NAME>")] public string? LabelColumn { get; init; }
        [CommandOption("--id-column <NAME>")] public string? IdColumn { get; init; }

        public override ValidationResult Validate() =>
            string.IsNullOrWhiteSpace(Model) || string.IsNullOrWhiteSpace(Data) || string.IsNullOrWhiteSpace(Out)
                ? ValidationResult.Error("--model MODEL, --data FILE and --out FILE are required.")
                : Explain is < 1 ? ValidationResult.Error($"--explain must be at least 1, not {Explain}.")
                : ValidationResult.Success();
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var scored = ScoredTable.Score(settings.Model, settings.Data, settings.LabelColumn, settings.IdColumn, settings.Latent || settings.Reconstruction, settings.Explain is not null);
        var csv = scored.Table.Csv;
        var header = new List<string>(csv.Header) { scored.ScoreColumnName, scored.PredictedLabelColumnName };
        if (scored.Probabilities is not null) header.Add(scored.ProbabilityColumnName!);
        int latent = settings.Latent ? scored.Latent?.FirstOrDefault()?.Length ?? throw new CliException($"{settings.Model}: the model emits no latent features.") : 0;
        header.AddRange(Enumerable.Range(0, latent).Select(i => $"latent_{i}"));
        if (settings.Reconstruction)
        {
            if (scored.Reconstruction is null) throw new CliException($"{settings.Model}: the model emits no reconstruction.");
            header.AddRange(scored.Table.FeatureColumns.Select(f => $"reconstruction_{f}"));
        }
        int explain = Math.Min(settings.Explain ?? 0, scored.ContributionNames?.Length ?? 0);
        for (int k = 1; k <= explain; k++) header.AddRange([$"top{k}_feature", $"top{k}_share"]);

        var rows = csv.Rows.Select((row, i) =>
        {
            var cells = new List<string>(row) { CsvOutput.Number(scored.Scores[i]), scored.Predicted[i] ? "true" : "false" };
            if (scored.Probabilities is not null) cells.Add(CsvOutput.Number(scored.Probabilities[i]));
            if (latent > 0) cells.AddRange(scored.Latent![i].Select(CsvOutput.Number));
            if (settings.Reconstruction) cells.AddRange(scored.Reconstruction![i].Select(CsvOutput.Number));
            if (explain > 0)
            {
                // Largest share first; ties keep the feature order.
                var shares = scored.Contributions![i];
                foreach (int j in Enumerable.Range(0, shares.Length).OrderByDescending(j => shares[j]).ThenBy(j => j).Take(explain))
                    cells.AddRange([scored.ContributionNames![j], CsvOutput.Number(shares[j])]);
            }
            return (IReadOnlyList<string>)cells;
        });
        CsvOutput.Write(settings.Out, header, rows);
        int anomalies = scored.Predicted.Count(p => p);
        Log.Information("Scored {Rows} rows: {Anomalies} above the threshold {Threshold}; wrote {Path}", csv.Rows.Count, anomalies, scored.Threshold, StandardStreams.Describe(settings.Out, output: true));
        return 0;
    }
}
