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
        using var detector = ScoringModelFile.Load(modelPath, dataPath);
        var table = FeatureTable.ForScoring(CsvTable.Read(dataPath), detector.Features, labelColumn, idColumn);
        var scored = detector.Model.Transform(table.Data);
        var stage = detector.Stage;
        float[][]? Vectors(string? column) => vectors && column is not null && scored.Schema.GetColumnOrNull(column) is not null ? scored.ReadVectors(column) : null;
        string[]? contributionNames = null;
        float[][]? shares = null;
        if (contributions)
        {
            var sharesColumn = detector.ContributionsColumn(scored.Schema);
            shares = scored.ReadVectors(sharesColumn.Name);
            contributionNames = SlotNames(sharesColumn, detector.Features);
        }
        return new ScoredTable
        {
            Table = table,
            Scores = scored.GetColumn<float>(detector.ScoreColumnName).ToArray(),
            Predicted = scored.GetColumn<bool>(detector.PredictedLabelColumnName).ToArray(),
            Threshold = stage.Threshold,
            ScoreColumnName = detector.ScoreColumnName,
            PredictedLabelColumnName = detector.PredictedLabelColumnName,
            Probabilities = stage.ProbabilityColumnName is { } probabilityName ? scored.GetColumn<float>(probabilityName).ToArray() : null,
            ProbabilityColumnName = stage.ProbabilityColumnName,
            Latent = Vectors(stage.LatentFeaturesColumnName),
            Features = Vectors(stage.FeatureColumnName),
            Reconstruction = Vectors(stage.ReconstructionColumnName),
            Contributions = shares,
            ContributionNames = contributionNames,
        };
    }

    /// <summary>The slot names of <paramref name="column"/>, or the model's feature columns when it has none.</summary>
    public static string[] SlotNames(DataViewSchema.Column column, string[] featureColumns)
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

/// <summary>A saved model loaded for scoring, with its anomaly-detector stage, the names of its outputs and the features it reads.</summary>
internal sealed class ScoringModelFile : IDisposable
{
    private readonly string _path;

    private ScoringModelFile(string path, ITransformer model, IAnomalyDetector stage, string scoreName, string labelName, string[] features)
    {
        _path = path;
        Model = model;
        Stage = stage;
        ScoreColumnName = scoreName;
        PredictedLabelColumnName = labelName;
        Features = features;
    }

    public ITransformer Model { get; }
    public IAnomalyDetector Stage { get; }
    public string ScoreColumnName { get; }
    public string PredictedLabelColumnName { get; }
    /// <summary>The CSV columns the model was trained on.</summary>
    public string[] Features { get; }

    /// <summary>Loads <paramref name="modelPath"/>, which will score <paramref name="dataPath"/> (both may not be standard input).</summary>
    public static ScoringModelFile Load(string modelPath, string dataPath)
    {
        if (StandardStreams.Is(modelPath) && StandardStreams.Is(dataPath))
            throw new CliException("--model - and --data - would both read standard input; give one of them as a file.");
        var model = new ModelSession().Load(modelPath, out var inputSchema);
        try
        {
            var detector = model.FindAnomalyDetector();
            if (detector?.ScoreColumnName is not { } scoreName || detector.PredictedLabelColumnName is not { } labelName)
                throw new CliException($"{modelPath}: the model has no autoencoder stage that emits both a score and a predicted label.");
            return new ScoringModelFile(modelPath, model, detector, scoreName, labelName, ModelSession.FeatureColumns(model, inputSchema, modelPath));
        }
        catch
        {
            (model as IDisposable)?.Dispose();
            throw;
        }
    }

    /// <summary>The feature-contributions column of the scored schema; a model without it is reported with the fix.</summary>
    public DataViewSchema.Column ContributionsColumn(DataViewSchema scored) =>
        Stage.FeatureContributionsColumnName is { } name && scored.GetColumnOrNull(name) is { } column
            ? column
            : throw new CliException($"{_path}: the model emits no feature contributions; train it again with this version of anomalyae train, which adds them.");

    public void Dispose() => (Model as IDisposable)?.Dispose();
}
