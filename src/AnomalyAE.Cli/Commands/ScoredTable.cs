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
            var features = ModelSession.FeatureColumns(model, inputSchema, modelPath);
            var table = FeatureTable.ForScoring(CsvTable.Read(dataPath), features, labelColumn, idColumn);
            var scored = model.Transform(table.Data);
            return new ScoredTable
            {
                Table = table,
                Scores = scored.GetColumn<float>("Score").ToArray(),
                Predicted = scored.GetColumn<bool>("PredictedLabel").ToArray(),
                Threshold = FindThreshold(model),
                Latent = vectors && scored.Schema.GetColumnOrNull("LatentFeatures") is not null ? scored.ReadVectors("LatentFeatures") : null,
                Features = vectors ? scored.ReadVectors("Features") : null,
                Reconstruction = vectors && scored.Schema.GetColumnOrNull("Reconstruction") is not null ? scored.ReadVectors("Reconstruction") : null,
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

    private static float FindThreshold(ITransformer model) => model switch
    {
        AutoencoderTransformerBase stage => stage.Threshold,
        IEnumerable<ITransformer> chain => chain.Select(FindThreshold).Where(t => !float.IsNaN(t)).DefaultIfEmpty(float.NaN).Last(),
        _ => float.NaN,
    };
}
