namespace AnomalyAE;

/// <summary>How a <see cref="SequenceAutoencoderEstimator"/>'s network reads a window of time steps.</summary>
public enum SequenceArchitecture
{
    /// <summary>Dense layers over the flattened window (every step's channels, oldest step first): the fastest, and the default.</summary>
    Dense,
    /// <summary>1-D convolutions over time (stride 2, kernel 5), then a dense code; the decoder upsamples and convolves back.</summary>
    Convolutional,
    /// <summary>A recurrent encoder–decoder (<see cref="SequenceAutoencoderOptions.Cell"/>): the encoder's last state gives the code, the decoder unrolls it over the window.</summary>
    Recurrent,
}

/// <summary>The cell of a <see cref="SequenceArchitecture.Recurrent"/> network.</summary>
public enum RecurrentCell
{
    /// <summary>Gated recurrent unit (Cho et al. 2014), as PyTorch's <c>GRU</c> and ONNX's <c>GRU</c> with <c>linear_before_reset</c> compute it.</summary>
    Gru,
    /// <summary>Long short-term memory (Hochreiter and Schmidhuber 1997), as PyTorch's <c>LSTM</c> and ONNX's <c>LSTM</c> compute it.</summary>
    Lstm,
}

/// <summary>How the windows that cover a time step make that step's <c>Score</c>.</summary>
public enum WindowScoreAggregation
{
    /// <summary>
    /// The score of the window that ends at the step: uses only the step and the ones before it, so it is what an online
    /// scorer sees as each step arrives (the default).
    /// </summary>
    LastWindow,
    /// <summary>
    /// The mean score of every window of the series that holds the step (the one ending there and the
    /// <c>WindowSize</c> − 1 after it, fewer at the end of a series): smoother and better placed in time, but it reads
    /// up to <c>WindowSize</c> − 1 steps ahead, so it suits batch scoring only.
    /// </summary>
    MeanOfCoveringWindows,
}

/// <summary>What a <see cref="SequenceAutoencoderEstimator"/> does with a missing value (NaN or ±∞) in a series.</summary>
public enum MissingValueHandling
{
    /// <summary>Fails with a message naming the column, the series and the row (the default).</summary>
    Error,
    /// <summary>
    /// Replaces the value with the channel's last finite value in the same series, so the step is windowed and scored as
    /// if the value had held; a series whose first value is missing fails.
    /// </summary>
    CarryForward,
    /// <summary>
    /// Treats the step as a gap: it gets no score (NaN, <c>PredictedLabel</c> false) and no window spans it; the series
    /// starts again after it, so its next <c>WindowSize</c> − 1 steps are scored as a series' first steps are.
    /// </summary>
    Restart,
}
