using AnomalyAE.Data;
using AnomalyAE.Runtime;

namespace AnomalyAE.Training;

/// <summary>
/// The trained model's scores on every training row, summarized for the threshold: exact when the rows are in memory,
/// a <see cref="QuantileSketch"/> filled batch by batch when they are streamed (memory of the order of the sketch, not
/// of the rows).
/// </summary>
internal sealed record TrainingScores(IScoreQuantiles Distribution, double Mean)
{
    public static TrainingScores Of(ScoringModel model, TrainingData data, int seed, CancellationToken cancellation)
    {
        if (data.InMemory is { } matrix)
        {
            var scores = model.ScoreAll(matrix);
            double mean = scores.Average(s => (double)s);
            return new TrainingScores(ScoreDistribution.Exact(scores), mean);
        }
        var sketch = new QuantileSketch(QuantileSketch.DefaultK, seed);
        var batch = new ScoredBatch(model.BatchSize, model.InputDimension, model.LatentDimension);
        double sum = 0;
        foreach (var block in data.Rows.Blocks(model.BatchSize, cancellation))
        {
            model.Score(block.Values, block.Count, batch);
            var scores = batch.Scores.AsSpan(0, block.Count);
            foreach (float s in scores) sum += s;
            sketch.Add(scores);
        }
        return new TrainingScores(sketch.ToDistribution(), sum / sketch.Count);
    }
}
