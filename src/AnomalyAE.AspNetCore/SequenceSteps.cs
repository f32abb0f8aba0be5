namespace AnomalyAE.AspNetCore;

/// <summary>
/// The rows of requests as steps of their series, scored by one <see cref="OnlineSequenceScorer"/>: in arrival order, each
/// against the window of its series that this instance keeps. A new model gets a new one (its windows hold the steps as the
/// old model prepared them).
/// </summary>
internal sealed class SequenceSteps : IScoringRoute
{
    private enum Result { Score, Label, Probability, Latent, Reconstruction, Contributions }

    private readonly ScoringContract _columns;
    private readonly OnlineSequenceScorer _scorer;
    private readonly Result[] _results;

    /// <exception cref="InvalidOperationException">A column the stage reads by name is one a JSON row cannot carry, or the options do not fit the model.</exception>
    public SequenceSteps(ScoringModelFile file, SequenceAutoencoderTransformer stage, OnlineSequenceScorerOptions options)
    {
        _columns = file.Contract;
        if (_columns.Outputs.FirstOrDefault(o => o.Name is ScoresResult.StatusField or ScoresResult.ProblemField) is { } clash)
            throw new InvalidOperationException($"Output column '{clash.Name}' has the name of a field the endpoint adds to a step's answer " +
                $"('{ScoresResult.StatusField}', '{ScoresResult.ProblemField}'). Leave it out with AnomalyScorerOptions.ResponseColumns, or train the model with another name for it.");
        _results = [.. _columns.Outputs.Select(o => ResultOf(stage, o.Name))];
        // The worker takes a series or order column of another type (Double, DateTime) as text and parses it back; a JSON
        // row carries the contract's inputs only, so such a column would arrive empty and every step be refused.
        foreach (string name in new[] { stage.SeriesColumnName, stage.OrderColumnName }.OfType<string>())
            if (file.InputSchema.GetColumnOrNull(name) is { } column && !_columns.Inputs.Any(i => i.Name == name))
                throw new InvalidOperationException($"Input column '{name}' is {column.Type}; a record carries Single, Vector<Single, n> and Text fields, so a JSON row cannot send it. " +
                    "Save the model with such input columns (e.g. convert the column in the pipeline).");
        try
        {
            // The scorer reads the data the endpoint builds from rows: the record schema, whose columns a row cannot carry are Text.
            _scorer = new OnlineSequenceScorer(file.Model, _columns.RecordSchema, new OnlineSequenceScorerOptions
            {
                MaxSeries = options.MaxSeries, IdleSeriesTimeout = options.IdleSeriesTimeout, MaxGap = options.MaxGap,
                OutputColumnNames = [.. _columns.Outputs.Select(o => o.Name)],
            });
        }
        catch (ArgumentException e)
        {
            throw new InvalidOperationException($"The sequence model cannot be served with AnomalyScorerOptions.MaxSeries, IdleSeriesTimeout and MaxGap as set: {e.Message}", e);
        }
    }

    public IReadOnlyList<ServedColumn> Inputs => _columns.Inputs;

    public OnlineSequenceScorer Scorer => _scorer;

    public ScoresResult Answer(RowBatch inputs, bool asArray)
    {
        var steps = _scorer.Score(inputs.ToDataView(_columns));
        var outputs = new RowBatch(_columns.Outputs, inputs.Rows);
        for (int slot = 0; slot < _results.Length; slot++)
        {
            var values = outputs.Values[slot];
            for (int row = 0; row < inputs.Rows; row++)
            {
                // A step without a window (warming up, rejected) has NaN numbers and no vectors: the answer holds nulls.
                bool windowed = !float.IsNaN(steps.Score(row));
                switch (_results[slot])
                {
                    case Result.Score: ((float[])values)[row] = steps.Score(row); break;
                    case Result.Label: ((bool[])values)[row] = steps.PredictedLabel(row); break;
                    case Result.Probability: ((float[])values)[row] = steps.Probability(row); break;
                    case Result.Latent: ((float[]?[])values)[row] = windowed ? steps.LatentFeatures(row).ToArray() : null; break;
                    case Result.Reconstruction: ((float[]?[])values)[row] = windowed ? steps.Reconstruction(row).ToArray() : null; break;
                    case Result.Contributions: ((float[]?[])values)[row] = windowed ? steps.FeatureContributions(row).ToArray() : null; break;
                }
            }
        }
        return new ScoresResult(outputs, asArray, steps);
    }

    private static Result ResultOf(SequenceAutoencoderTransformer stage, string name) =>
        name == stage.ScoreColumnName ? Result.Score
        : name == stage.PredictedLabelColumnName ? Result.Label
        : name == stage.ProbabilityColumnName ? Result.Probability
        : name == stage.LatentFeaturesColumnName ? Result.Latent
        : name == stage.ReconstructionColumnName ? Result.Reconstruction
        : name == stage.FeatureContributionsColumnName ? Result.Contributions
        : throw new InvalidOperationException($"Output column '{name}' is not one of the sequence stage's columns ({string.Join(", ", stage.OutputColumnNames)}).");
}
