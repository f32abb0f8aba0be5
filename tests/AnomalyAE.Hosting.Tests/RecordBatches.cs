using System.Globalization;
using AnomalyAE.Hosting.Records;

namespace AnomalyAE.Hosting.Tests;

/// <summary>Record batches for tests that drive the scorer or a channel directly.</summary>
internal static class RecordBatches
{
    /// <summary>The test rows as a CSV-shaped batch (id, x0 … x7).</summary>
    public static RecordBatch FromRows(IReadOnlyList<TestModels.Row> rows)
    {
        var records = TextRecords.WithHeader(["id", .. TestModels.FeatureNames], "id");
        for (int r = 0; r < rows.Count; r++)
        {
            records.Begin(r + 2);
            records.AddCell(rows[r].Id);
            foreach (var value in rows[r].Values) records.AddCell(value.ToString("R", CultureInfo.InvariantCulture));
            records.End();
        }
        return records.Slice(0, rows.Count);
    }

    public static IEnumerable<string> Ids(this RecordBatch batch) => Enumerable.Range(0, batch.Count).Select(batch.Id);

    public static string Field(this RecordBatch batch, int record, string name) => batch.Fields(record).Single(f => f.Name == name).Value;

    /// <summary>Every usable record scored <paramref name="score"/>; the rest rejected with their problem.</summary>
    public static ScoredBatch Uniform(this RecordBatch batch, float score, bool anomalous = false) =>
        new(batch, "Score", "PredictedLabel", [.. Enumerable.Repeat(score, batch.Count)], [.. Enumerable.Repeat(anomalous, batch.Count)],
            [.. Enumerable.Range(0, batch.Count).Select(batch.Problem)]);
}
