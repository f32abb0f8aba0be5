using System.Globalization;
using Microsoft.ML;
using AnomalyAE.DataViews;
using Microsoft.ML.Data;

namespace AnomalyAE.Hosting.Records;

/// <summary>
/// Scores record batches with a loaded tabular pipeline: every record on its own, the usable ones in one pass.
/// Thread-safe: every call has its own buffers.
/// </summary>
internal sealed class RecordBatchScorer : RecordScorer
{
    /// <summary>A scorer for <paramref name="model"/>, a loaded pipeline whose input is <paramref name="inputSchema"/>.</summary>
    /// <param name="model">A fitted pipeline with an autoencoder stage that emits a score and a predicted label (under any names).</param>
    /// <param name="inputSchema">The schema the model expects (from <c>mlContext.Autoencoders().Load</c>).</param>
    /// <param name="idField">The record field holding the id, never required as a model input.</param>
    public RecordBatchScorer(ITransformer model, DataViewSchema inputSchema, string idField)
        : this(model, ScoringContract.For(model, inputSchema), idField)
    {
    }

    /// <summary>A scorer for <paramref name="model"/> served by <paramref name="contract"/>.</summary>
    public RecordBatchScorer(ITransformer model, ScoringContract contract, string idField) : base(model, contract, idField)
    {
    }

    /// <inheritdoc />
    public override ScoredBatch Score(RecordBatch batch)
    {
        int count = batch.Count;
        var rowOf = new int[count];
        var errors = new string?[count];
        var buffers = Parse(batch, rowOf, errors);
        var scores = new float[count];
        var anomalous = new bool[count];
        Dictionary<int, float[]>? shares = null;
        if (buffers.Rows > 0)
        {
            var scoredRows = new float[buffers.Rows];
            var labels = new bool[buffers.Rows];
            var contributions = new Dictionary<int, float[]>();
            Read(Model.Transform(buffers), scoredRows, labels, contributions);
            for (int r = 0; r < count; r++)
            {
                if (rowOf[r] < 0) { scores[r] = float.NaN; continue; }
                scores[r] = scoredRows[rowOf[r]];
                anomalous[r] = labels[rowOf[r]];
                if (contributions.TryGetValue(rowOf[r], out var row)) (shares ??= [])[r] = row;
            }
        }
        return new ScoredBatch(batch, Contract.ScoreColumnName, Contract.PredictedLabelColumnName, scores, anomalous, errors, FeatureNames, shares);
    }

    /// <summary>Reads scores and labels of every row, and the contributions of the anomalous ones.</summary>
    private void Read(IDataView scored, float[] scores, bool[] labels, Dictionary<int, float[]> contributions)
    {
        var scoreColumn = scored.Schema[Contract.ScoreColumnName];
        var labelColumn = scored.Schema[Contract.PredictedLabelColumnName];
        var contributionColumn = Contract.Contributions is { } served ? scored.Schema[served.Name] : (DataViewSchema.Column?)null;
        using var cursor = scored.GetRowCursor(contributionColumn is { } c ? [scoreColumn, labelColumn, c] : [scoreColumn, labelColumn]);
        var getScore = cursor.GetGetter<float>(scoreColumn);
        var getLabel = cursor.GetGetter<bool>(labelColumn);
        var getContributions = contributionColumn is { } column ? cursor.GetGetter<VBuffer<float>>(column) : null;
        VBuffer<float> shares = default;
        for (int row = 0; cursor.MoveNext(); row++)
        {
            getScore(ref scores[row]);
            getLabel(ref labels[row]);
            if (!labels[row] || getContributions is null) continue;
            getContributions(ref shares);
            contributions[row] = shares.DenseValues().ToArray();
        }
    }
}
