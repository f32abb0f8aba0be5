using AnomalyAE.Data;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace AnomalyAE.Transforms;

/// <summary>
/// The lazy result of <c>Transform</c>: the input's columns plus ours. Nothing is computed until a cursor
/// asks for one of our columns; then rows go through the network a batch at a time.
/// </summary>
internal sealed class ScoredDataView : IDataView
{
    private readonly IDataView _input;
    private readonly ScoringStage _stage;
    private readonly DataViewSchema.Column _features;

    public ScoredDataView(IDataView input, ScoringStage stage)
    {
        _input = input;
        _stage = stage;
        _features = FeatureColumn.Find(input.Schema, stage.FeatureColumnName, stage.Model.InputDimension);
        Schema = stage.BuildSchema(input.Schema, _features);
    }

    public bool CanShuffle => false;

    public DataViewSchema Schema { get; }

    public long? GetRowCount() => _input.GetRowCount();

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
    {
        var needed = columnsNeeded.Select(c => c.Index).ToHashSet();
        var ours = Enumerable.Range(0, _stage.Outputs.Columns.Count).Where(i => needed.Contains(_input.Schema.Count + i)).ToArray();
        var inputColumns = _input.Schema.Where(c => needed.Contains(c.Index)).ToList();
        var inputCursor = _input.GetRowCursor(inputColumns);
        if (ours.Length == 0)
            return new ScoredRowCursor(this, _stage, inputCursor, lookahead: null, _features, needed);
        // A second cursor over the same rows reads features ahead, a batch at a time, while the first one
        // serves the pass-through columns of the current row (ML.NET's own batch transforms do the same).
        var lookahead = _input.GetRowCursor([_features]);
        return new ScoredRowCursor(this, _stage, inputCursor, lookahead, _features, needed);
    }

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
        [GetRowCursor(columnsNeeded, rand)];
}
