namespace AnomalyAE.Series;

/// <summary>
/// What a sequence stage measures a step's score against (saved in model files): the mean of the last <see cref="Smoothing"/>
/// window scores, relative to the median and robust spread of such means over the last <see cref="Steps"/> steps of the
/// same run of the same series. <see cref="StartCentre"/> and <see cref="StartSpread"/> (the training's) stand in while a run
/// holds fewer than <see cref="ScoreBaseline.MinimumHistory"/> of them. <see cref="Threshold"/> and the calibration were
/// fitted on the training steps' relative scores.
/// </summary>
internal sealed record ScoreBaselineSettings
{
    public required int Steps { get; init; }
    public required int Smoothing { get; init; }
    public required float StartCentre { get; init; }
    public required float StartSpread { get; init; }
    public required float Threshold { get; init; }
    public float[]? CalibrationScores { get; init; }
    public float[]? CalibrationProbabilities { get; init; }

    /// <summary>Steps a run must have held for a step's score to be what it is after any longer history: window, smoothing and baseline.</summary>
    public int HistoryDepth(int windowSize) => windowSize - 1 + Smoothing - 1 + Steps;

    public void Validate(Rules rules)
    {
        rules.Range(nameof(Steps), Steps, ScoreBaseline.MinimumHistory, ScoreBaseline.MaxSteps);
        rules.Range(nameof(Smoothing), Smoothing, 1, ScoreBaseline.MaxSmoothing);
        rules.Require(float.IsFinite(StartCentre) && float.IsFinite(StartSpread) && StartSpread > 0 && !float.IsNaN(Threshold), nameof(StartSpread),
            $"The score baseline's start (centre {StartCentre}, spread {StartSpread}) or threshold ({Threshold}) is not a finite number with a positive spread.");
        if ((CalibrationScores is not null || CalibrationProbabilities is not null) && Training.ScoreCalibration.Problem(CalibrationScores, CalibrationProbabilities) is { } problem)
            rules.Require(false, "Baseline", $"The score baseline's calibration is broken: {problem}");
    }
}
