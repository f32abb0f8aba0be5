using System.ComponentModel;
using AnomalyAE.Visualization;
using Serilog;
using Spectre.Console;
using Spectre.Console.Cli;

namespace AnomalyAE.Cli.Commands;

/// <summary>anomalyae plot: latent scatter, score histogram with threshold and, for images, reconstructions; on request the feature contributions of one row.</summary>
internal sealed class PlotCommand : Command<PlotCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--model <MODEL>"), Description("Saved model (.aeml or .onnx); - for standard input.")] public string Model { get; init; } = "";
        [CommandOption("--data <FILE>"), Description("CSV to plot; - for standard input.")] public string Data { get; init; } = "";
        [CommandOption("--out <DIR>"), Description("Folder for the PNG files.")] public string Out { get; init; } = "plots";
        [CommandOption("--label-column <NAME>"), Description("Colours points and splits the histogram by label.")] public string? LabelColumn { get; init; }
        [CommandOption("--id-column <NAME>"), Description("Text column that identifies a row, not a feature (default: 'id' if present).")] public string? IdColumn { get; init; }
        [CommandOption("--image <SIDE>"), Description("Features are square SIDE×SIDE images (e.g. 28): also draw reconstructions.")] public int? Image { get; init; }
        [CommandOption("--contributions <ROW>"), Description("Also draw the features with the largest shares of data row ROW's reconstruction error (0 = the first row after the header).")] public int? Contributions { get; init; }
        [CommandOption("--top <K>"), Description("Features in the --contributions chart (default 10).")] public int Top { get; init; } = 10;

        public override ValidationResult Validate() =>
            string.IsNullOrWhiteSpace(Model) || string.IsNullOrWhiteSpace(Data)
                ? ValidationResult.Error("--model MODEL and --data FILE are required.")
                : Contributions is < 0 ? ValidationResult.Error($"--contributions must be a row index of at least 0, not {Contributions}.")
                : Top < 1 ? ValidationResult.Error($"--top must be at least 1, not {Top}.")
                : ValidationResult.Success();
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var scored = ScoredTable.Score(settings.Model, settings.Data, settings.LabelColumn, settings.IdColumn, vectors: true, contributions: settings.Contributions is not null);
        if (settings.Contributions is int chosen && chosen >= scored.Scores.Length)
            throw new CliException($"--contributions {chosen}: {scored.Table.Csv.Path} has {scored.Scores.Length} data rows, so the row index must be 0 to {scored.Scores.Length - 1}.");
        bool[]? labels = scored.Table.LabelColumn is null ? null : scored.Labels();
        Directory.CreateDirectory(settings.Out);
        var written = new List<string>();

        string histogram = Path.Combine(settings.Out, "scores.png");
        var finite = Enumerable.Range(0, scored.Scores.Length).Where(i => !float.IsNaN(scored.Scores[i])).ToArray();   // a sequence model's first rows have none
        Charts.ScoreHistogram(histogram, [.. finite.Select(i => scored.Scores[i])], scored.Threshold, labels is null ? null : [.. finite.Select(i => labels[i])],
            $"Scores of {Path.GetFileName(scored.Table.Csv.Path)}");
        written.Add(histogram);
        if (scored.IsSequence)
        {
            // Rows in file order: the first feature column, the score and the threshold, labeled runs shaded.
            string series = Path.Combine(settings.Out, "series.png");
            var first = scored.Table.Csv.Numbers(scored.Table.Csv.IndexOf(scored.Table.FeatureColumns[0], "feature"), allowMissing: true);
            Charts.SeriesScores(series, [.. first.Select(v => (double)v)], scored.Scores, scored.Threshold, Runs(labels),
                $"{Path.GetFileName(scored.Table.Csv.Path)}: {scored.Table.FeatureColumns[0]} and the score", scored.Table.FeatureColumns[0]);
            written.Add(series);
        }

        if (scored.Latent is { Length: > 0 } latent && latent[0].Length >= 2)
        {
            string scatter = Path.Combine(settings.Out, "latent.png");
            var classes = labels?.Select(l => l ? 1 : 0).ToArray() ?? new int[latent.Length];
            Charts.LatentScatter(scatter, latent, classes, latent[0].Length == 2 ? "Latent plane" : $"First two of {latent[0].Length} latent dimensions" + (labels is null ? "" : " (1 = anomaly)"));
            written.Add(scatter);
        }
        else Log.Warning("The latent space has fewer than two dimensions; no scatter plot.");

        if (settings.Image is int side)
        {
            if (scored.Features is null || scored.Reconstruction is null || scored.Features[0].Length != side * side)
                throw new CliException($"--image {side}: the model's features are not {side}×{side} = {side * side} values per row.");
            string images = Path.Combine(settings.Out, "reconstructions.png");
            int count = Math.Min(10, scored.Features.Length);
            ImageGrid.Save(images, [.. scored.Features.Take(count), .. scored.Reconstruction.Take(count)], columns: count, side: side,
                rowTitles: ["input", "decoded"], title: "Rows (top) and their reconstructions (bottom)");
            written.Add(images);
        }
        if (settings.Contributions is int row)
        {
            string bars = Path.Combine(settings.Out, $"contributions-row{row}.png");
            string probability = scored.Probabilities is { } p ? $", probability {p[row]:0.###}" : "";
            Charts.ContributionBars(bars, scored.ContributionNames!, scored.Contributions![row], $"Row {row}: score {scored.Scores[row]:G4}{probability}", settings.Top);
            written.Add(bars);
        }
        foreach (var file in written) Log.Information("Wrote {Path}", Path.GetFullPath(file));
        return 0;
    }

    /// <summary>The runs of consecutive labeled rows, as (first, last) row indexes.</summary>
    private static List<(int Start, int End)> Runs(bool[]? labels)
    {
        var runs = new List<(int, int)>();
        for (int i = 0; labels is not null && i < labels.Length; i++)
        {
            if (!labels[i]) continue;
            int start = i;
            while (i + 1 < labels.Length && labels[i + 1]) i++;
            runs.Add((start, i));
        }
        return runs;
    }
}
