using System.ComponentModel;
using AnomalyAE.Cli.Tables;
using AnomalyAE.Transforms;
using Microsoft.ML;
using Microsoft.ML.Data;
using Serilog;
using Spectre.Console;
using Spectre.Console.Cli;

namespace AnomalyAE.Cli.Commands;

/// <summary>
/// anomalyae score: every input column, then the model's score, predicted-label and probability columns (Score,
/// PredictedLabel and Probability unless renamed), and latent/reconstruction columns and the top feature contributions (--explain K) on request.
/// The input is streamed and each row is written as soon as it is scored, so files of any size score in flat memory.
/// </summary>
internal sealed class ScoreCommand : Command<ScoreCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--model <MODEL>"), Description("Saved model (.aeml or .onnx); - for standard input.")] public string Model { get; init; } = "";
        [CommandOption("--data <FILE>"), Description("CSV to score; - for standard input.")] public string Data { get; init; } = "";
        [CommandOption("--out <FILE>"), Description("Scored CSV to write (atomically); - for standard output.")] public string Out { get; init; } = "";
        [CommandOption("--latent"), Description("Add latent_0 … latent_k-1 columns.")] public bool Latent { get; init; }
        [CommandOption("--reconstruction"), Description("Add reconstruction_<feature> columns (in the model's normalized space).")] public bool Reconstruction { get; init; }
        [CommandOption("--explain <K>"), Description("Add top1_feature, top1_share … topK_feature, topK_share: the K features with the largest shares of the row's reconstruction error.")] public int? Explain { get; init; }
        [CommandOption("--label-column <NAME>"), Description("Column carried along, not a feature (default: 'label' if present).")] public string? LabelColumn { get; init; }
        [CommandOption("--id-column <NAME>"), Description("Text column carried along, not a feature (default: 'id' if present).")] public string? IdColumn { get; init; }

        public override ValidationResult Validate() =>
            string.IsNullOrWhiteSpace(Model) || string.IsNullOrWhiteSpace(Data) || string.IsNullOrWhiteSpace(Out)
                ? ValidationResult.Error("--model MODEL, --data FILE and --out FILE are required.")
                : Explain is < 1 ? ValidationResult.Error($"--explain must be at least 1, not {Explain}.")
                : ValidationResult.Success();
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        using var model = CsvScoringModel.Load(settings.Model, settings.Data);
        using var csv = CsvDataView.Open(settings.Data);
        var table = FeatureTable.ForScoring(csv, model.Features, settings.LabelColumn, settings.IdColumn, model.Series);
        var scored = model.Model.Transform(table.Data);
        var stage = model.Stage;

        var header = new List<string>(csv.Header) { model.ScoreColumnName, model.PredictedLabelColumnName };
        var probability = stage.ProbabilityColumnName is { } probabilityName ? scored.Schema.GetColumnOrNull(probabilityName) : null;
        if (probability is { } p) header.Add(p.Name);
        var latent = settings.Latent ? VectorColumn(scored, stage.LatentFeaturesColumnName, settings.Model, "latent features") : (DataViewSchema.Column?)null;
        int latentSize = latent is { } l ? ((VectorDataViewType)l.Type).Size : 0;
        header.AddRange(Enumerable.Range(0, latentSize).Select(i => $"latent_{i}"));
        var reconstruction = settings.Reconstruction ? VectorColumn(scored, stage.ReconstructionColumnName, settings.Model, "reconstruction") : (DataViewSchema.Column?)null;
        if (reconstruction is not null) header.AddRange(table.FeatureColumns.Select(f => $"reconstruction_{f}"));
        var contributions = settings.Explain is not null ? model.ContributionsColumn(scored.Schema) : (DataViewSchema.Column?)null;
        string[] contributionNames = contributions is { } c ? ScoredTable.SlotNames(c, model.Features) : [];
        int explain = Math.Min(settings.Explain ?? 0, contributionNames.Length);
        for (int k = 1; k <= explain; k++) header.AddRange([$"top{k}_feature", $"top{k}_share"]);

        long rows = 0, anomalies = 0, unscored = 0;
        IEnumerable<IReadOnlyList<string>> Rows()
        {
            var cellsColumn = scored.Schema[CsvDataView.CellsColumn];
            var scoreColumn = scored.Schema[model.ScoreColumnName];
            var labelColumn = scored.Schema[model.PredictedLabelColumnName];
            var needed = new[] { cellsColumn, scoreColumn, labelColumn, probability, latent, reconstruction, contributions }.OfType<DataViewSchema.Column>();
            using var cursor = scored.GetRowCursor(needed);
            var cellsGetter = cursor.GetGetter<VBuffer<ReadOnlyMemory<char>>>(cellsColumn);
            var scoreGetter = cursor.GetGetter<float>(scoreColumn);
            var labelGetter = cursor.GetGetter<bool>(labelColumn);
            var probabilityGetter = probability is { } pc ? cursor.GetGetter<float>(pc) : null;
            var latentGetter = latent is { } lc ? cursor.GetGetter<VBuffer<float>>(lc) : null;
            var reconstructionGetter = reconstruction is { } rc ? cursor.GetGetter<VBuffer<float>>(rc) : null;
            var sharesGetter = explain > 0 ? cursor.GetGetter<VBuffer<float>>(contributions!.Value) : null;
            VBuffer<ReadOnlyMemory<char>> cells = default;
            VBuffer<float> vector = default;
            var largest = new int[explain];
            float score = 0, probabilityValue = 0;
            bool predicted = false;
            while (cursor.MoveNext())
            {
                cancellationToken.ThrowIfCancellationRequested();
                cellsGetter(ref cells);
                scoreGetter(ref score);
                labelGetter(ref predicted);
                var row = new List<string>(header.Count);
                foreach (var cell in cells.DenseValues()) row.Add(cell.ToString());
                row.AddRange([CsvOutput.Number(score), predicted ? "true" : "false"]);
                if (probabilityGetter is not null) { probabilityGetter(ref probabilityValue); row.Add(CsvOutput.Number(probabilityValue)); }
                if (latentGetter is not null) { latentGetter(ref vector); row.AddRange(vector.DenseValues().Select(CsvOutput.Number)); }
                if (reconstructionGetter is not null) { reconstructionGetter(ref vector); row.AddRange(vector.DenseValues().Select(CsvOutput.Number)); }
                if (sharesGetter is not null)
                {
                    sharesGetter(ref vector);
                    var shares = vector.DenseValues().ToArray();
                    int found = ContributionRanking.Largest(shares, largest);
                    for (int i = 0; i < found; i++) row.AddRange([contributionNames[largest[i]], CsvOutput.Number(shares[largest[i]])]);
                }
                rows++;
                if (predicted) anomalies++;
                if (float.IsNaN(score)) unscored++;
                yield return row;
            }
        }
        CsvDataView.Reporting(() => { CsvOutput.Write(settings.Out, header, Rows()); return 0; });
        Log.Information("Scored {Rows} rows: {Anomalies} above the threshold {Threshold}; wrote {Path}", rows, anomalies, stage.Threshold, StandardStreams.Describe(settings.Out, output: true));
        if (unscored > 0 && stage is SequenceAutoencoderTransformer sequence)
        {
            if (sequence.ScoreAggregation == WindowScoreAggregation.LastWindow)
                Log.Information("{Unscored} rows have no score (NaN): the first {Steps} rows of each series (or after a gap) have no window of {Window} rows ending at them", unscored, sequence.WindowSize - 1, sequence.WindowSize);
            else
                Log.Information("{Unscored} rows have no score (NaN): their series (or its part between gaps) is shorter than a window of {Window} rows", unscored, sequence.WindowSize);
        }
        return 0;
    }

    /// <summary>A vector output of the model; a model that does not emit it is reported.</summary>
    private static DataViewSchema.Column VectorColumn(IDataView scored, string? name, string modelPath, string what) =>
        name is not null && scored.Schema.GetColumnOrNull(name) is { } column
            ? column
            : throw new CliException($"{modelPath}: the model emits no {what}.");
}
