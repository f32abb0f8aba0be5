namespace AnomalyAE.TimeSeries.Evaluation.Data;

/// <summary>
/// One detection task: a detector learns from <see cref="Train"/> (no labels) and scores every row of <see cref="Test"/>
/// in order. Rows are row-major: row t is <c>values[t·Dimensions … t·Dimensions + Dimensions − 1]</c>.
/// </summary>
/// <param name="Dataset">"NAB" or "MSL".</param>
/// <param name="Name">The file (NAB: <c>category/file.csv</c>) or channel (MSL: <c>C-1</c>).</param>
/// <param name="TestFollowsTrain">
/// True when the test rows continue the training rows in time (NAB: the probationary part, then the rest of the same
/// file), so a window ending at an early test row may reach back into the training rows; false when they are separate
/// recordings (MSL's train and test files), so such a window is padded with the first test row.
/// </param>
/// <param name="Anomalies">The labeled ranges, as rows of <see cref="Test"/>.</param>
public sealed record SeriesTask(string Dataset, string Name, int Dimensions, float[] Train, float[] Test, bool TestFollowsTrain,
    IReadOnlyList<AnomalyRange> Anomalies)
{
    public int TrainRows => Train.Length / Dimensions;
    public int TestRows => Test.Length / Dimensions;

    /// <summary>The sliding-window length the window-based detectors and VUS-PR use (<see cref="WindowLength.Choose"/>).</summary>
    public int Window { get; init; } = 100;

    /// <summary>One flag per test row: inside a labeled range.</summary>
    public bool[] TestLabels() => AnomalyRange.ToFlags(Anomalies, TestRows);

    /// <summary>The values of channel <paramref name="channel"/> of <paramref name="rows"/> (Train or Test).</summary>
    public double[] Channel(float[] rows, int channel)
    {
        var values = new double[rows.Length / Dimensions];
        for (int t = 0; t < values.Length; t++) values[t] = rows[t * Dimensions + channel];
        return values;
    }

    /// <summary>
    /// The same task with every channel standardized by the training rows' mean and standard deviation (a channel constant
    /// in training is only centred), as a detector that knows nothing of the test rows would scale them.
    /// </summary>
    public SeriesTask Standardized()
    {
        var mean = new double[Dimensions];
        var std = new double[Dimensions];
        int rows = TrainRows;
        for (int t = 0; t < rows; t++) for (int c = 0; c < Dimensions; c++) mean[c] += Train[t * Dimensions + c] / (double)rows;
        for (int t = 0; t < rows; t++)
            for (int c = 0; c < Dimensions; c++) { double d = Train[t * Dimensions + c] - mean[c]; std[c] += d * d / rows; }
        for (int c = 0; c < Dimensions; c++) std[c] = std[c] > 1e-24 ? Math.Sqrt(std[c]) : 1;
        float[] Scale(float[] values)
        {
            var scaled = new float[values.Length];
            for (int i = 0; i < values.Length; i++) { int c = i % Dimensions; scaled[i] = (float)((values[i] - mean[c]) / std[c]); }
            return scaled;
        }
        return this with { Train = Scale(Train), Test = Scale(Test) };
    }
}
