using AnomalyAE.Networks;
using AnomalyAE.Runtime;

namespace AnomalyAE.Series;

/// <summary>A window's score, its series and whether it is the first window of a run (a series' start, or after a gap).</summary>
internal readonly record struct WindowScore(int Series, bool RunStarts, float Score);

/// <summary>
/// Every window of the training steps (stride 1, in time order per series) scored by the fitted window model, and the score
/// baseline fitted on them: the training's median and spread of window score means (the start of every run) and the
/// threshold and calibration of the steps' relative scores.
/// </summary>
internal static class TrainingWindowScores
{
    public static List<WindowScore> Read(ScoringModel model, Func<IStepCursor> openSteps, SeriesSettings settings, CancellationToken cancellation)
    {
        var scores = new List<WindowScore>();
        var windows = new SeriesWindows(settings.WindowSize, settings.Channels, settings.MissingValues, settings.ChannelSource);
        int windowValues = settings.WindowSize * settings.Channels, capacity = model.BatchSize;
        var batch = new float[capacity * windowValues];
        var pending = new (int Series, bool RunStarts)[capacity];
        var scored = new ScoredBatch(capacity, windowValues, model.LatentDimension);
        var step = new float[settings.Channels];
        int count = 0;
        void Flush()
        {
            cancellation.ThrowIfCancellationRequested();
            model.Score(batch, count, scored, NetworkOutputs.ScoreOnly);
            for (int i = 0; i < count; i++) scores.Add(new WindowScore(pending[i].Series, pending[i].RunStarts, scored.Scores[i]));
            count = 0;
        }
        using var steps = openSteps();
        while (steps.MoveNext())
        {
            int series = steps.Series;
            steps.ReadChannels(step);
            if (windows.Push(series, step, steps.Row, steps.SeriesName(series)) != SeriesWindows.Outcome.Window) continue;
            windows.CopyWindow(series, batch.AsSpan(count * windowValues, windowValues));
            pending[count++] = (series, windows.StartsRun(series));
            if (count == capacity) Flush();
        }
        if (count > 0) Flush();
        return scores;
    }

    /// <summary>
    /// The baseline of <paramref name="options"/> fitted on <paramref name="scores"/>: its start from their means, its
    /// threshold and calibration from the relative scores they get (each run starting from the training's start).
    /// </summary>
    public static ScoreBaselineSettings FitBaseline(SequenceAutoencoderOptions options, List<WindowScore> scores, Microsoft.ML.Runtime.IChannel channel)
    {
        var means = new List<float>(scores.Count);
        var smoothing = new ScoreBaseline(new ScoreBaselineSettings
        {
            Steps = ScoreBaseline.MaxSteps, Smoothing = options.ScoreSmoothingSteps, StartCentre = 0, StartSpread = 1, Threshold = 0,
        });
        foreach (var w in scores) means.Add(smoothing.Mean(w.Series, w.Score, w.RunStarts));
        var (centre, spread) = ScoreBaseline.Of(means);
        var fitted = new ScoreBaselineSettings
        {
            Steps = options.ScoreBaselineSteps, Smoothing = options.ScoreSmoothingSteps, StartCentre = centre, StartSpread = spread, Threshold = 0,
        };
        var baseline = new ScoreBaseline(fitted);
        var relative = scores.Select(w => baseline.Relative(w.Series, w.Score, w.RunStarts)).Where(float.IsFinite).ToArray();
        if (relative.Length == 0)
            throw new InvalidOperationException("The training data has no window to fit the score baseline on; train on series of at least WindowSize steps.");
        var distribution = Training.ScoreDistribution.Exact(relative);
        var threshold = Training.ScoreThreshold.Fit(options, distribution, channel);
        var calibration = Training.ScoreCalibration.Fit(distribution, threshold.Tail);
        channel.Info(Microsoft.ML.Runtime.MessageSensitivity.None, $"Scores relative to each series' last {options.ScoreBaselineSteps} steps (means of {options.ScoreSmoothingSteps} " +
            $"window scores; the training's median {centre:G4} and spread {spread:G4} start each series); threshold {threshold.Value:G4} on the relative scores.");
        return fitted with { Threshold = threshold.Value, CalibrationScores = calibration.Scores, CalibrationProbabilities = calibration.Probabilities };
    }
}
