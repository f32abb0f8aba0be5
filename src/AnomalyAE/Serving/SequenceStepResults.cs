namespace AnomalyAE;

/// <summary>What became of a step given to an <see cref="OnlineSequenceScorer"/>.</summary>
public enum SequenceStepStatus
{
    /// <summary>A window ends at the step: it has a score, a label, a probability and (when asked for) vectors.</summary>
    Scored,
    /// <summary>
    /// Fewer than <c>WindowSize</c> steps of its series' current run (a new series, one started again after a gap or a
    /// forgotten one): NaN score and probability, <c>PredictedLabel</c> false, NaN vectors — as the estimator's
    /// <c>Transform</c> gives the first <c>WindowSize</c> − 1 steps of a series.
    /// </summary>
    WarmingUp,
    /// <summary>
    /// The same order value and the same values as its series' last step (a retry or a duplicate delivery): it gets that
    /// step's results again and the window does not move.
    /// </summary>
    Repeated,
    /// <summary>Not used (out of order, a conflicting duplicate, a missing value the model's policy refuses): <see cref="SequenceStepResults.Problem"/> says why; the window does not move.</summary>
    Rejected,
}

/// <summary>
/// The results of the steps given to one <see cref="OnlineSequenceScorer.Score"/> call, in their order: per step its
/// status, series, score, predicted label, probability and the vectors that were asked for (the latent code of the window
/// ending at it, its channels as reconstructed, each channel's share of that window's error).
/// </summary>
public sealed class SequenceStepResults
{
    private readonly SequenceStepStatus[] _status;
    private readonly string?[] _problems;
    private readonly string[] _series;
    private readonly long[] _steps;
    private readonly float[] _scores, _probabilities, _latent, _reconstruction, _contributions;
    private readonly bool[] _labels;

    internal SequenceStepResults(int count, int latentDimension, int channels, bool latent, bool reconstruction, bool contributions)
    {
        Count = count;
        LatentDimension = latentDimension;
        Channels = channels;
        HasLatentFeatures = latent;
        HasReconstruction = reconstruction;
        HasFeatureContributions = contributions;
        _status = new SequenceStepStatus[count];
        _problems = new string?[count];
        _series = new string[count];
        _steps = new long[count];
        _scores = new float[count];
        _probabilities = new float[count];
        _labels = new bool[count];
        _latent = latent ? new float[count * latentDimension] : [];
        _reconstruction = reconstruction ? new float[count * channels] : [];
        _contributions = contributions ? new float[count * channels] : [];
    }

    /// <summary>Steps given.</summary>
    public int Count { get; }
    /// <summary>Values per latent code.</summary>
    public int LatentDimension { get; }
    /// <summary>Channels per step.</summary>
    public int Channels { get; }
    /// <summary>True when the latent codes were computed.</summary>
    public bool HasLatentFeatures { get; }
    /// <summary>True when the reconstructions were computed.</summary>
    public bool HasReconstruction { get; }
    /// <summary>True when the channel contributions were computed.</summary>
    public bool HasFeatureContributions { get; }

    /// <summary>What became of step <paramref name="step"/>.</summary>
    public SequenceStepStatus Status(int step) => _status[step];
    /// <summary>Why step <paramref name="step"/> was rejected; null otherwise.</summary>
    public string? Problem(int step) => _problems[step];
    /// <summary>The step's series (the series column's value as text; empty for a model without a series column).</summary>
    public string Series(int step) => _series[step];
    /// <summary>How many steps of its series came before it since the scorer first saw (or last forgot) the series.</summary>
    public long StepOfSeries(int step) => _steps[step];
    /// <summary>The score of the window ending at the step (the <c>LastWindow</c> aggregation); NaN while warming up or rejected.</summary>
    public float Score(int step) => _scores[step];
    /// <summary><c>Score &gt; Threshold</c>; false while warming up or rejected.</summary>
    public bool PredictedLabel(int step) => _labels[step];
    /// <summary>The calibrated probability of the score; NaN when the model has none, while warming up or rejected.</summary>
    public float Probability(int step) => _probabilities[step];
    /// <summary>The latent code of the window ending at the step (empty unless computed).</summary>
    public ReadOnlySpan<float> LatentFeatures(int step) => _latent.Length == 0 ? [] : _latent.AsSpan(step * LatentDimension, LatentDimension);
    /// <summary>The step's channels as that window reconstructs them (empty unless computed).</summary>
    public ReadOnlySpan<float> Reconstruction(int step) => _reconstruction.Length == 0 ? [] : _reconstruction.AsSpan(step * Channels, Channels);
    /// <summary>Each channel's share of that window's error (empty unless computed).</summary>
    public ReadOnlySpan<float> FeatureContributions(int step) => _contributions.Length == 0 ? [] : _contributions.AsSpan(step * Channels, Channels);

    internal void Begin(int step, string series, long stepOfSeries)
    {
        _series[step] = series;
        _steps[step] = stepOfSeries;
        _scores[step] = float.NaN;
        _probabilities[step] = float.NaN;
        LatentOf(step).Fill(float.NaN);
        ReconstructionOf(step).Fill(float.NaN);
        ContributionsOf(step).Fill(float.NaN);
    }

    internal void Reject(int step, string problem)
    {
        _status[step] = SequenceStepStatus.Rejected;
        _problems[step] = problem;
    }

    internal ref SequenceStepStatus StatusOf(int step) => ref _status[step];
    internal ref float ScoreOf(int step) => ref _scores[step];
    internal ref float ProbabilityOf(int step) => ref _probabilities[step];
    internal ref bool LabelOf(int step) => ref _labels[step];
    internal Span<float> LatentOf(int step) => _latent.Length == 0 ? [] : _latent.AsSpan(step * LatentDimension, LatentDimension);
    internal Span<float> ReconstructionOf(int step) => _reconstruction.Length == 0 ? [] : _reconstruction.AsSpan(step * Channels, Channels);
    internal Span<float> ContributionsOf(int step) => _contributions.Length == 0 ? [] : _contributions.AsSpan(step * Channels, Channels);
}
