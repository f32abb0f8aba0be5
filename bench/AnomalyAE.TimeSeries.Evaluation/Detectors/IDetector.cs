using AnomalyAE.TimeSeries.Evaluation.Data;

namespace AnomalyAE.TimeSeries.Evaluation.Detectors;

/// <summary>
/// A detector under test. <see cref="Score"/> learns from <c>task.Train</c> (no labels are given to it) and returns one
/// score per test row, higher = more anomalous. The protocol is online: the score of test row t may use the training
/// rows and test rows 0…t only (a window ending at t; with <see cref="SeriesTask.TestFollowsTrain"/> it may reach back into
/// the training rows). It also returns scores of its training data (in-sample, as many as the detector scores: per row or
/// per training window), from which the bench derives the label-free default threshold (<see cref="Thresholds"/>).
/// </summary>
public interface IDetector
{
    /// <summary>The row name in the report.</summary>
    string Name { get; }

    /// <summary>One line for the report: the configuration, so the run can be repeated.</summary>
    string Description { get; }

    /// <summary>True when the scores depend on the seed (the bench then runs every seed it is given).</summary>
    bool UsesSeed { get; }

    DetectorScores Score(SeriesTask task, int seed);
}

/// <summary>One score per test row, and the scores of the training data (only for the label-free threshold).</summary>
public sealed record DetectorScores(double[] Test, double[] Train);
