using AnomalyAE.Cli.Tables;
using AnomalyAE.DataViews;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace AnomalyAE.Cli.Commands;

/// <summary>A CSV file run through a saved model: its rows with score, label, and on request latent code and reconstruction.</summary>
internal sealed class ScoredTable
{
    public required FeatureTable Table { get; init; }
    public required float[] Scores { get; init; }
    public required bool[] Predicted { get; init; }
    public required float Threshold { get; init; }
    /// <summary>The model's names for its score and predicted-label columns (the scored CSV uses them as headers).</summary>
    public required string ScoreColumnName { get; init; }
    public required string PredictedLabelColumnName { get; init; }
    public float[][]? Latent { get; init; }
    public float[][]? Features { get; init; }
    public float[][]? Reconstruction { get; init; }

    public static ScoredTable Score(string modelPath, string dataPath, string? labelColumn, string? idColumn, bool vectors)
    {
        if (StandardStreams.Is(modelPath) && StandardStreams.Is(dataPath))
            throw new CliException("--model - and --data - would both read standard input; give one of them as a file.");
        var session = new ModelSession();
        var model = session.Load(modelPath, out var inputSchema);
        try
        {
            var detector = model.FindAnomalyDetector();
            if (detector?.ScoreColumnName is not { } scoreName || detector.PredictedLabelColumnName is not { } labelName)
                throw new CliException($"{modelPath}: the model has no autoencoder stage that emits both a score and a predicted label.");
            var features = ModelSession.FeatureColumns(model, inputSchema, modelPath);
            var table = FeatureTable.ForScoring(CsvTable.Read(dataPath), features, labelColumn, idColumn);
            var scored = model.Transform(table.Data);
            float[][]? Vectors(string? column) => vectors && column is not null && scored.Schema.GetColumnOrNull(column) is not null ? scored.ReadVectors(column) : null;
            return new ScoredTable
            {
                Table = table,
                Scores = scored.GetColumn<float>(scoreName).ToArray(),
                Predicted = scored.GetColumn<bool>(labelName).ToArray(),
                Threshold = detector.Threshold,
                ScoreColumnName = scoreName,
                PredictedLabelColumnName = labelName,
                Latent = Vectors(detector.LatentFeaturesColumnName),
                Features = Vectors(detector.FeatureColumnName),
                Reconstruction = Vectors(detector.ReconstructionColumnName),
            };
        }
        finally
        {
            (model as IDisposable)?.Dispose();
        }
    }

    /// <summary>Labels as anomaly flags (any non-zero value is an anomaly).</summary>
    public bool[] Labels()
    {
        var labels = Table.Labels ?? throw new CliException($"{Table.Csv.Path}: no label column; name it with --label-column.");
        return labels.Select(l => l != 0).ToArray();
    }
}
