using Microsoft.ML;
using Microsoft.ML.Data;

namespace AnomalyAE.Data;

/// <summary>
/// The training features after the first pass over the feature column: their summary (rows, range, variance), and
/// either the rows themselves in memory, or — when they exceed the memory budget or streaming was asked for — a
/// reader that streams them from the <c>IDataView</c> on every later pass, plus a uniform sample of rows for the
/// parts of the score fitted on training rows (reference codes, score scales).
/// </summary>
internal sealed class TrainingData
{
    private TrainingData(IFeatureRows rows, FeatureSummary summary, FeatureMatrix? inMemory, FeatureMatrix scoreSample)
    {
        Rows = rows;
        Summary = summary;
        InMemory = inMemory;
        ScoreSample = scoreSample;
    }

    /// <summary>Every training row, in memory or streamed.</summary>
    public IFeatureRows Rows { get; }
    public FeatureSummary Summary { get; }
    /// <summary>The rows in memory; null when they are streamed.</summary>
    public FeatureMatrix? InMemory { get; }
    /// <summary>The rows the score's fitted parts are fitted on: every row in memory, a seeded uniform sample when streamed.</summary>
    public FeatureMatrix ScoreSample { get; }
    public bool IsStreamed => InMemory is null;
    public int Columns => Rows.Columns;
    public long RowCount => Summary.Rows;

    /// <summary>
    /// Reads <paramref name="columnName"/> once: checks every value is finite, summarizes the features, and keeps the
    /// rows in memory unless they take more than <paramref name="memoryBudgetBytes"/> (decided from
    /// <c>GetRowCount()</c> when the view knows it, otherwise when the budget is passed) or <paramref name="stream"/> is set.
    /// Streamed, it keeps a seeded uniform sample of at most <paramref name="sampleRows"/>(features) rows.
    /// </summary>
    public static TrainingData Read(IDataView data, string columnName, long memoryBudgetBytes, bool stream, Func<int, long> sampleRows, int seed,
        CancellationToken cancellation)
    {
        var column = FeatureColumn.Find(data.Schema, columnName, expectedSize: null);
        int columns = ((VectorDataViewType)column.Type).Size;
        long budgetValues = Math.Min(memoryBudgetBytes / sizeof(float), Array.MaxLength);
        long? knownRows = data.GetRowCount();
        bool inMemory = !stream && !(knownRows * columns > budgetValues);
        var held = inMemory ? new RowBuffer(columns, budgetValues, knownRows) : null;
        var summary = new FeatureSummary(columns);
        var sample = inMemory ? null : NewSample();
        RowReservoir NewSample() => new((int)Math.Clamp(Math.Min(sampleRows(columns), knownRows ?? long.MaxValue), 1, int.MaxValue), columns, seed);

        var row = new float[columns];
        VBuffer<float> source = default;
        using (var cursor = data.GetRowCursor([column]))
        {
            var getter = cursor.GetGetter<VBuffer<float>>(column);
            while (cursor.MoveNext())
            {
                long rows = summary.Rows;
                if ((rows & 1023) == 0) cancellation.ThrowIfCancellationRequested();
                getter(ref source);
                source.CopyTo(row);
                RowValues.CheckFinite(row, rows, columnName);
                summary.Add(row);
                if (held is not null && !held.TryAdd(row))
                {
                    // Over budget: from here on the rows are streamed. The rows read so far join the sample in order.
                    sample = NewSample();
                    held.ForEach(sample.Add);
                    held = null;
                    // Up to a whole TrainingMemoryBudget of rows became garbage at once, once per fit: return it to the
                    // system now, or the process streams the rest beside it until the next full collection.
                    GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
                }
                if (held is null) sample!.Add(row);
            }
        }
        if (summary.Rows == 0)
            throw new InvalidOperationException($"The training data has no rows in column '{columnName}'. An autoencoder needs rows to learn from; check upstream filters.");
        if (held is not null)
        {
            var matrix = new FeatureMatrix(held.ToArray(), (int)summary.Rows, columns);
            return new TrainingData(matrix, summary, matrix, matrix);
        }
        return new TrainingData(new DataViewFeatureRows(data, column, summary.Rows), summary, null, sample!.ToMatrix());
    }
}
