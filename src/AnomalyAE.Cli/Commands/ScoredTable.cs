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
    /// <summary>True for a sequence model: rows are time steps, scored by windows (the first rows of a series have no score).</summary>
    public bool IsSequence { get; init; }
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
        using var detector = CsvScoringModel.Load(modelPath, dataPath);
        // A sequence model reads the series and order columns too, typed as in training: through the streamed view of the file.
        using var stream = detector.Series is null ? null : CsvDataView.Open(dataPath);
        // The rows read whole give labels, ids and the plotted values; a sequence model's missing cells are NaN there.
        var table = FeatureTable.ForScoring(stream is null ? CsvTable.Read(dataPath) : CsvTable.Read(stream.FilePath, stream.Path), detector.Features, labelColumn, idColumn,
            allowMissing: stream is not null);
        var data = stream is null ? table.Data : FeatureTable.ForScoring(stream, detector.Features, labelColumn, idColumn, detector.Series).Data;
        var scored = CsvDataView.Reporting(() => detector.Model.Transform(data));
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
            IsSequence = stage is SequenceAutoencoderTransformer,
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

/// <summary>A saved model loaded to score CSV files: the core's <see cref="ScoringModelFile"/> and the CSV columns it reads.</summary>
internal sealed class CsvScoringModel : IDisposable
{
    private readonly string _path;
    private readonly ScoringModelFile _file;

    private CsvScoringModel(string path, ScoringModelFile file, string[] features)
    {
        _path = path;
        _file = file;
        Features = features;
    }

    public ITransformer Model => _file.Model;
    public IAnomalyDetector Stage => _file.Contract.Detector;
    public string ScoreColumnName => _file.Contract.ScoreColumnName;
    public string PredictedLabelColumnName => _file.Contract.PredictedLabelColumnName;
    /// <summary>The CSV columns the model was trained on.</summary>
    public string[] Features { get; }

    /// <summary>A sequence model's series and order columns, read beside the features; null for other models.</summary>
    public FeatureTable.SeriesRoles? Series => Stage is SequenceAutoencoderTransformer sequence ? new(sequence.SeriesColumnName, sequence.OrderColumnName) : null;

    /// <summary>Loads <paramref name="modelPath"/>, which will score <paramref name="dataPath"/> (both may not be standard input).</summary>
    public static CsvScoringModel Load(string modelPath, string dataPath)
    {
        if (StandardStreams.Is(modelPath) && StandardStreams.Is(dataPath))
            throw new CliException("--model - and --data - would both read standard input; give one of them as a file.");
        ScoringModelFile file;
        try
        {
            file = new ModelSession().LoadForScoring(modelPath);
        }
        catch (InvalidOperationException e)
        {
            throw new CliException($"{modelPath}: {e.Message}");
        }
        try
        {
            return new CsvScoringModel(modelPath, file, ModelSession.FeatureColumns(file.Model, file.InputSchema, modelPath));
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>The feature-contributions column of the scored schema; a model without it is reported with the fix.</summary>
    public DataViewSchema.Column ContributionsColumn(DataViewSchema scored) =>
        _file.Contract.Contributions is { } column
            ? scored[column.Name]
            : throw new CliException($"{_path}: the model emits no feature contributions; train it again with this version of anomalyae train, which adds them.");

    public void Dispose() => _file.Dispose();
}
