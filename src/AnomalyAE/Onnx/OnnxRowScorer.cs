using AnomalyAE.Onnx;

namespace AnomalyAE;

/// <summary>
/// Scores one row at a time with the least overhead: the feature values are copied into a buffer already bound to ONNX
/// Runtime and the score read back, with no data view and no allocation per row. From
/// <see cref="OnnxScoringTransformer.CreateRowScorer"/>; not thread-safe (one per thread); dispose it.
/// </summary>
public sealed class OnnxRowScorer : IDisposable
{
    private readonly OnnxBatchRunner _runner;
    private readonly float[] _scores;
    private readonly int _width;

    internal OnnxRowScorer(OnnxScoringModel model)
    {
        if (model.Inputs.Count != 1)
            throw new NotSupportedException($"The row scorer needs a model with one input column; this one reads {model.Inputs.Count} ({string.Join(", ", model.Inputs.Select(i => i.Name))}). Use Transform or a PredictionEngine.");
        int score = model.Outputs.ToList().FindIndex(o => o.Kind == "Score");
        if (score < 0) throw new NotSupportedException("The model emits no score column.");
        _runner = new OnnxBatchRunner(model, capacity: 1, fetched: [score]);
        _scores = (float[])_runner.Outputs[score];
        _width = model.Inputs[0].Width;
    }

    /// <summary>The anomaly score of one row of <see cref="OnnxScoringTransformer.InputDimension"/> values (the model's input column).</summary>
    public float Score(ReadOnlySpan<float> row)
    {
        if (row.Length != _width) throw new ArgumentException($"The row has {row.Length} values; the model's input has {_width}.", nameof(row));
        Data.RowValues.CheckFinite(row, 0, "row");
        row.CopyTo(_runner.Inputs[0]);
        _runner.Run(1);
        return _scores[0];
    }

    /// <summary>Frees the bound ONNX Runtime values.</summary>
    public void Dispose() => _runner.Dispose();
}
