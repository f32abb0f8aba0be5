using AnomalyAE.Data;
using AnomalyAE.Runtime;

namespace AnomalyAE.Training;

/// <summary>
/// The trained model's scores on the training rows, summarized for the threshold: exact on every row when the rows are
/// in memory; when they are streamed, a <see cref="QuantileSketch"/> of the scores of a seeded uniform sample of
/// <see cref="AutoencoderOptionsBase.Defaults.ThresholdSampleRows"/> rows (every row when there are fewer), filled batch
/// by batch (memory of the order of the sketch, not of the rows).
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
        var chosen = new float[model.BatchSize * model.InputDimension];
        int held = 0, columns = model.InputDimension;
        double keep = Math.Min(1.0, AutoencoderOptionsBase.Defaults.ThresholdSampleRows / (double)data.RowCount);
        int sampleSeed = unchecked(seed * 17 + 0x5CE1);
        double sum = 0;
        void ScoreHeld()
        {
            model.Score(chosen, held, batch, Networks.NetworkOutputs.ScoreOnly);
            var scores = batch.Scores.AsSpan(0, held);
            foreach (float s in scores) sum += s;
            sketch.Add(scores);
            held = 0;
        }
        foreach (var block in data.Rows.Blocks(model.BatchSize, cancellation))
        {
            for (int r = 0; r < block.Count; r++)
            {
                if (keep < 1 && RowHash.Unit(block.Start + r, sampleSeed) >= keep) continue;
                block.Values.AsSpan(r * columns, columns).CopyTo(chosen.AsSpan(held * columns));
                if (++held == model.BatchSize) ScoreHeld();
            }
        }
        if (held > 0) ScoreHeld();
        return new TrainingScores(sketch.ToDistribution(), sum / sketch.Count);
    }
}
