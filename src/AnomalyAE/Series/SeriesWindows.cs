using System.Globalization;

namespace AnomalyAE.Series;

/// <summary>
/// The last <c>WindowSize</c> steps of every series, so that the window ending at each step can be read as it arrives:
/// one ring of values (and of row positions) per series, the missing-value handling, and the count of steps since the
/// series started (or restarted after a gap).
/// </summary>
internal sealed class SeriesWindows(int windowSize, int channels, MissingValueHandling missing, string channelSource)
{
    private readonly List<State> _states = [];

    /// <summary>What a step did.</summary>
    public enum Outcome
    {
        /// <summary>The step is held, but fewer than <c>WindowSize</c> steps of its run are: no window ends at it.</summary>
        Partial,
        /// <summary>A window of <c>WindowSize</c> steps ends at the step.</summary>
        Window,
        /// <summary>A missing value under <see cref="MissingValueHandling.Restart"/>: a gap; the series starts again after it.</summary>
        Gap,
    }

    public int WindowSize => windowSize;
    public int Channels => channels;

    /// <summary>
    /// Adds the step at row <paramref name="row"/> to <paramref name="series"/>: <paramref name="values"/> (<see cref="Channels"/>
    /// values) are checked for missing values (and replaced under <see cref="MissingValueHandling.CarryForward"/>).
    /// </summary>
    public Outcome Push(int series, Span<float> values, long row, string seriesName)
    {
        while (_states.Count <= series) _states.Add(new State(windowSize, channels));
        var state = _states[series];
        state.Index++;
        for (int c = 0; c < channels; c++)
        {
            if (float.IsFinite(values[c])) continue;
            switch (missing)
            {
                case MissingValueHandling.Restart:
                    state.Run = 0;
                    return Outcome.Gap;
                case MissingValueHandling.CarryForward when state.HasLast:
                    values[c] = state.Last[c];
                    break;
                case MissingValueHandling.CarryForward:
                    throw new InvalidOperationException($"{Where(c, values[c], row, series, seriesName, state)}: the series starts with a missing value, so there is nothing to carry forward. " +
                        "Drop the series' first rows up to its first value, or use MissingValues = Restart.");
                default:
                    throw new InvalidOperationException($"{Where(c, values[c], row, series, seriesName, state)}: MissingValues is Error. Set MissingValues = CarryForward (hold the " +
                        "channel's last value) or Restart (a gap: the series starts again after it), or replace missing values before this stage.");
            }
        }
        values[..channels].CopyTo(state.Last);
        state.HasLast = true;
        values[..channels].CopyTo(state.Ring.AsSpan(state.Next * channels, channels));
        state.Positions[state.Next] = row;
        state.Next = (state.Next + 1) % windowSize;
        state.Run++;
        return state.Run >= windowSize ? Outcome.Window : Outcome.Partial;
    }

    /// <summary>Forgets everything of <paramref name="series"/>: its next step starts it again (a slot reused for another series).</summary>
    public void Reset(int series)
    {
        if (series < _states.Count) _states[series] = new State(windowSize, channels);
    }

    /// <summary>Starts <paramref name="series"/>' run again (a gap): its next <c>WindowSize</c> − 1 steps make no window. Its last values stay for carrying forward.</summary>
    public void Restart(int series)
    {
        if (series < _states.Count) _states[series].Run = 0;
    }

    /// <summary>The values of <paramref name="series"/>' last step (after missing values were handled); empty before its first.</summary>
    public ReadOnlySpan<float> Last(int series) => series < _states.Count && _states[series].HasLast ? _states[series].Last : [];

    /// <summary>Steps in <paramref name="series"/>' current run (since it started or restarted).</summary>
    public long Run(int series) => _states[series].Run;

    /// <summary>True when the window ending at <paramref name="series"/>' last step is its run's first (what a score baseline starts again at).</summary>
    public bool StartsRun(int series) => _states[series].Run == windowSize;

    /// <summary>Copies the window ending at <paramref name="series"/>' last step into <paramref name="destination"/>, oldest step first.</summary>
    public void CopyWindow(int series, Span<float> destination)
    {
        var state = _states[series];
        int head = state.Next * channels, size = windowSize * channels;
        state.Ring.AsSpan(head, size - head).CopyTo(destination);
        state.Ring.AsSpan(0, head).CopyTo(destination[(size - head)..]);
    }

    /// <summary>
    /// The row positions of the last steps (at most the run, at most the window) of
    /// <paramref name="series"/>, oldest first, into <paramref name="destination"/>; returns how many.
    /// </summary>
    public int RecentRows(int series, Span<long> destination)
    {
        var state = _states[series];
        int count = (int)Math.Min(Math.Min(state.Run, windowSize), destination.Length);
        for (int i = 0; i < count; i++) destination[i] = state.Positions[((state.Next - count + i) % windowSize + windowSize) % windowSize];
        return count;
    }

    /// <summary>Each channel's share of a window's error: the shares of its values (<paramref name="shares"/>, time-major) summed over the window's steps.</summary>
    public static void ChannelShares(ReadOnlySpan<float> shares, int windowSize, int channels, Span<float> destination)
    {
        destination[..channels].Clear();
        for (int t = 0; t < windowSize; t++)
            for (int c = 0; c < channels; c++) destination[c] += shares[t * channels + c];
    }

    private string Where(int channel, float value, long row, int series, string seriesName, State state) =>
        $"The channels ({channelSource}) hold {value.ToString(CultureInfo.InvariantCulture)} in channel {channel} at row {row} (series {seriesName}, its step {state.Index - 1})";

    private sealed class State(int windowSize, int channels)
    {
        public readonly float[] Ring = new float[windowSize * channels];
        public readonly long[] Positions = new long[windowSize];
        public readonly float[] Last = new float[channels];
        public bool HasLast;
        public int Next;
        public long Run;
        /// <summary>Steps of the series seen, gaps included.</summary>
        public long Index;
    }
}
