namespace AnomalyAE.Series;

/// <summary>
/// Re-expresses each window score against the recent scores of its own series, online: the mean of the last
/// <c>Smoothing</c> window scores, minus the median of such means over the last <c>Steps</c> steps, over their robust
/// spread (the larger of the interquartile range / 1.349 and 1.2533 × the mean absolute deviation from the median, both
/// normal-consistent). This is the idea of Numenta's anomaly likelihood (Ahmad et al., Neurocomputing 2017) without its
/// probability transform: a series whose errors rise for good (drift) stops being flagged once the new level is its
/// recent history, while a burst on that level stands out. A score depends on the run's last
/// <see cref="ScoreBaselineSettings.HistoryDepth"/> steps only, re-estimated at every step, so an online scorer that rebuilds a
/// series from that many steps gives it the scores <c>Transform</c> gives. A run that starts (a new series, a gap, a
/// forgotten series) starts an empty history.
/// </summary>
internal sealed class ScoreBaseline(ScoreBaselineSettings settings)
{
    /// <summary>Means a run must hold before its own median and spread replace the training's.</summary>
    public const int MinimumHistory = 100;
    public const int MaxSteps = 1_000_000, MaxSmoothing = 10_000;
    private const double IqrToSigma = 1.349, MeanDeviationToSigma = 1.2533;
    private const int DeviationSample = 512;
    private readonly List<State?> _states = [];

    /// <summary>
    /// The relative score of <paramref name="score"/>, the next window score of <paramref name="series"/>
    /// (<paramref name="runStarts"/>: the first window of a run, which forgets the history). NaN scores pass through and are not held.
    /// </summary>
    public float Relative(int series, float score, bool runStarts)
    {
        var state = StateOf(series, runStarts);
        if (float.IsNaN(score)) return float.NaN;
        double mean = state.Smooth(score);
        var (centre, spread) = state.Count < MinimumHistory
            ? (settings.StartCentre, (double)settings.StartSpread) : state.CentreAndSpread(settings.StartSpread);
        state.Hold((float)mean, settings.Steps);
        return (float)((mean - centre) / spread);
    }

    /// <summary>The mean of the last <c>Smoothing</c> window scores of <paramref name="series"/>' run, <paramref name="score"/> the newest: the baseline's input alone.</summary>
    public float Mean(int series, float score, bool runStarts) => float.IsNaN(score) ? float.NaN : (float)StateOf(series, runStarts).Smooth(score);

    private State StateOf(int series, bool runStarts)
    {
        while (_states.Count <= series) _states.Add(null);
        if (runStarts || _states[series] is null) _states[series] = new State(settings.Smoothing);
        return _states[series]!;
    }

    /// <summary>The median and spread of <paramref name="means"/> (the training's window score means), as a run's history would give them.</summary>
    public static (float Centre, float Spread) Of(IReadOnlyList<float> means)
    {
        var sorted = means.Where(float.IsFinite).Order().ToArray();
        if (sorted.Length == 0) return (0, 1);
        var (centre, spread) = CentreAndSpread(sorted, sorted.Length, floor: 0);
        return ((float)centre, spread > 0 ? (float)spread : Math.Max(Math.Abs((float)centre), 1f) * 1e-6f);
    }

    private static (double Centre, double Spread) CentreAndSpread(float[] sorted, int count, double floor)
    {
        double centre = sorted[count / 2];
        // The mean absolute deviation over at most DeviationSample evenly spaced order statistics: the sorted means are a
        // stratified sample of themselves, so this is close to the full sum at a fraction of its cost per step.
        int stride = Math.Max(1, count / DeviationSample), taken = 0;
        double deviations = 0;
        for (int i = stride / 2; i < count; i += stride, taken++) deviations += Math.Abs(sorted[i] - centre);
        double meanDeviation = deviations / taken;
        double iqr = sorted[3 * count / 4] - sorted[count / 4];
        return (centre, Math.Max(Math.Max(iqr / IqrToSigma, MeanDeviationToSigma * meanDeviation), floor));
    }

    /// <summary>One run's last window scores (for the mean) and last means, in time order and sorted.</summary>
    private sealed class State(int smoothing)
    {
        private readonly float[] _recent = new float[smoothing];
        private int _recentCount, _recentNext;
        private float[] _held = new float[16], _sorted = new float[16];
        private int _next;

        public int Count { get; private set; }

        /// <summary>Holds <paramref name="score"/> and returns the mean of the last scores, summed oldest first (so a rebuilt run sums alike).</summary>
        public double Smooth(float score)
        {
            _recent[_recentNext] = score;
            _recentNext = (_recentNext + 1) % _recent.Length;
            _recentCount = Math.Min(_recentCount + 1, _recent.Length);
            double sum = 0;
            for (int i = 0; i < _recentCount; i++) sum += _recent[((_recentNext - _recentCount + i) % _recent.Length + _recent.Length) % _recent.Length];
            return sum / _recentCount;
        }

        /// <summary>The median and spread of the means held; the spread is at least a millionth of the training's (flat series).</summary>
        public (double Centre, double Spread) CentreAndSpread(float startSpread) => ScoreBaseline.CentreAndSpread(_sorted, Count, startSpread * 1e-6);

        /// <summary>Holds <paramref name="mean"/>, dropping the oldest once <paramref name="steps"/> are held.</summary>
        public void Hold(float mean, int steps)
        {
            if (Count == steps)
            {
                // The oldest leaves and the mean enters: only the values between their places move.
                int from = Array.BinarySearch(_sorted, 0, Count, _held[_next]);
                int to = Array.BinarySearch(_sorted, 0, Count, mean);
                if (to < 0) to = ~to;
                if (to > from)
                {
                    Array.Copy(_sorted, from + 1, _sorted, from, to - from - 1);
                    _sorted[to - 1] = mean;
                }
                else
                {
                    Array.Copy(_sorted, to, _sorted, to + 1, from - to);
                    _sorted[to] = mean;
                }
                _held[_next] = mean;
                _next = (_next + 1) % steps;
                return;
            }
            if (Count == _held.Length)
            {
                int size = Math.Min(steps, 2 * Count);
                Array.Resize(ref _held, size);
                Array.Resize(ref _sorted, size);
            }
            _held[Count] = mean;
            _next = (Count + 1) % steps;
            int insert = Array.BinarySearch(_sorted, 0, Count, mean);
            if (insert < 0) insert = ~insert;
            Array.Copy(_sorted, insert, _sorted, insert + 1, Count - insert);
            _sorted[insert] = mean;
            Count++;
        }
    }
}
