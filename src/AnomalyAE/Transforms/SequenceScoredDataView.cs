using AnomalyAE.Series;
using Microsoft.ML;

namespace AnomalyAE.Transforms;

/// <summary>
/// The lazy result of a sequence stage's <c>Transform</c>: the input's columns plus the stage's. A cursor that asks for one of
/// the stage's columns reads the input a second time ahead of it, windowing and scoring the steps (<see cref="SequenceScoringCursor"/>).
/// </summary>
internal sealed class SequenceScoredDataView(IDataView input, DataViewSchema schema, SeriesInput series, SequenceAutoencoderTransformer stage) : IDataView
{
    public bool CanShuffle => false;

    public DataViewSchema Schema => schema;

    public long? GetRowCount() => input.GetRowCount();

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
    {
        var needed = columnsNeeded.Select(c => c.Index).ToHashSet();
        var inputCursor = input.GetRowCursor(input.Schema.Where(c => needed.Contains(c.Index)));
        var outputs = needed.Where(i => i >= input.Schema.Count).Select(i => i - input.Schema.Count).ToList();
        if (outputs.Count == 0) return new BatchScoringCursor(schema, inputCursor, lookahead: null, scorer: null, needed);
        return new SequenceScoringCursor(schema, inputCursor, input.GetRowCursor(series.Columns), series, stage, outputs, needed);
    }

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
        [GetRowCursor(columnsNeeded, rand)];
}
