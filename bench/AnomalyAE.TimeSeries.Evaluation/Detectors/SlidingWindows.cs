using AnomalyAE.TimeSeries.Evaluation.Data;

namespace AnomalyAE.TimeSeries.Evaluation.Detectors;

/// <summary>
/// Flattened sliding windows of <see cref="SeriesTask.Window"/> rows (time-major: the rows of the window one after the other,
/// all channels of a row together), the input of the window-based detectors. peers.py builds exactly the same windows.
/// </summary>
public static class SlidingWindows
{
    /// <summary>The training windows: every window lying wholly in the training rows (rows − w + 1 of them).</summary>
    public static float[][] Train(SeriesTask task)
    {
        int w = task.Window, d = task.Dimensions;
        if (task.TrainRows < w) throw new ArgumentException($"{task.Name}: {task.TrainRows} training rows, fewer than the window ({w}).");
        return Enumerable.Range(0, task.TrainRows - w + 1).Select(s => task.Train.AsSpan(s * d, w * d).ToArray()).ToArray();
    }

    /// <summary>
    /// One window per test row, ending at it: its earlier rows come from the test rows before it, then from the training
    /// rows when the test continues them (NAB), else repeat the first test row (MSL). No row after t is used.
    /// </summary>
    public static float[][] Test(SeriesTask task)
    {
        int w = task.Window, d = task.Dimensions;
        var windows = new float[task.TestRows][];
        for (int t = 0; t < task.TestRows; t++)
        {
            var window = new float[w * d];
            for (int k = 0; k < w; k++)
            {
                int row = t - w + 1 + k; // test row index, negative = before the test
                ReadOnlySpan<float> source =
                    row >= 0 ? task.Test.AsSpan(row * d, d)
                    : task.TestFollowsTrain && task.TrainRows + row >= 0 ? task.Train.AsSpan((task.TrainRows + row) * d, d)
                    : task.TestFollowsTrain && task.TrainRows > 0 ? task.Train.AsSpan(0, d)
                    : task.Test.AsSpan(0, d);
                source.CopyTo(window.AsSpan(k * d, d));
            }
            windows[t] = window;
        }
        return windows;
    }
}
