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
    /// <summary>The calibrated anomaly probabilities and their column name, when the model emits them.</summary>
    public float[]? Probabilities { get; init; }
    public string? ProbabilityColumnName { get; init; }
    public float[][]? Latent { get; init; }
    public float[][]? Features { get; init; }
    public float[][]? Reconstruction { get; init; }
    /// <summary>Each feature's share of the row's reconstruction error, when asked for and the model emits it.</summary>
    public float[][]? Contributions { get; init; }
    /// <summary>The names of the contributions' slots (the model's feature names).</summary>
    public string[]? ContributionNames { get; init; }

    public static ScoredTable Score(string modelPath, string dataPath, string? labelColumn, string? idColumn, bool vectors, bool contributions = false)
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
            string[]? contributionNames = null;
            float[][]? shares = null;
            if (contributions)
            {
                if (detector.FeatureContributionsColumnName is not { } sharesName || scored.Schema.GetColumnOrNull(sharesName) is not { } sharesColumn)
                    throw new CliException($"{modelPath}: the model emits no feature contributions; train it again with this version of anomalyae train, which adds them.");
                shares = scored.ReadVectors(sharesName);
                contributionNames = SlotNames(sharesColumn, features);
            }
            return new ScoredTable
            {
                Table = table,
                Scores = scored.GetColumn<float>(scoreName).ToArray(),
                Predicted = scored.GetColumn<bool>(labelName).ToArray(),
                Threshold = detector.Threshold,
                ScoreColumnName = scoreName,
                PredictedLabelColumnName = labelName,
                Probabilities = detector.ProbabilityColumnName is { } probabilityName ? scored.GetColumn<float>(probabilityName).ToArray() : null,
                ProbabilityColumnName = detector.ProbabilityColumnName,
                Latent = Vectors(detector.LatentFeaturesColumnName),
                Features = Vectors(detector.FeatureColumnName),
                Reconstruction = Vectors(detector.ReconstructionColumnName),
                Contributions = shares,
                ContributionNames = contributionNames,
            };
        }
        finally
        {
            (model as IDisposable)?.Dispose();
        }
    }

    /// <summary>The slot names of <paramref name="column"/>, or the model's feature columns when it has none.</summary>
    private static string[] SlotNames(DataViewSchema.Column column, string[] featureColumns)
    {
        int size = (column.Type as VectorDataViewType)?.Size ?? 0;
        if (column.HasSlotNames())
        {
            VBuffer<ReadOnlyMemory<char>> names = default;
            column.GetSlotNames(ref names);
            var dense = names.DenseValues().Select(n => n.ToString()).ToArray();
            if (dense.Length == size && dense.All(n => n.Length > 0)) return dense;
        }
        return featureColumns.Length == size ? featureColumns : Enumerable.Range(0, size).Select(i => $"feature_{i}").ToArray();
    }

    /// <summary>Labels as anomaly flags (any non-zero value is an anomaly).</summary>
    public bool[] Labels()
    {
        var labels = Table.Labels ?? throw new CliException($"{Table.Csv.Path}: no label column; name it with --label-column.");
        return labels.Select(l => l != 0).ToArray();
    }
}
