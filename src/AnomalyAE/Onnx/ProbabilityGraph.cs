using AnomalyAE.Training;

namespace AnomalyAE.Onnx;

/// <summary>
/// The probability column as graph nodes: <see cref="ScoreCalibration"/>'s piecewise-linear map written as a sum of
/// ramps, p(s) = p₀ + Σᵢ slopeᵢ · min(relu(s − sᵢ), sᵢ₊₁ − sᵢ) — constant below the first knot and above the last, as
/// <see cref="ScoreCalibration.Probability"/> is.
/// </summary>
internal static class ProbabilityGraph
{
    /// <summary>Appends the map applied to <paramref name="score"/> (shape [N]); returns the probability tensor (shape [N]).</summary>
    public static string Emit(OnnxGraphBuilder builder, string score, ScoreCalibration calibration)
    {
        var (knots, probabilities) = (calibration.Scores, calibration.Probabilities);
        int segments = knots.Length - 1;
        var starts = new float[segments];
        var widths = new float[segments];
        var slopes = new float[segments];
        for (int i = 0; i < segments; i++)
        {
            starts[i] = knots[i];
            widths[i] = knots[i + 1] - knots[i];
            slopes[i] = (float)((probabilities[i + 1] - (double)probabilities[i]) / ((double)knots[i + 1] - knots[i]));
        }
        string column = builder.Unsqueeze(score, 1);                                                    // [N, 1]
        string past = builder.Unary("Relu", builder.Sub(column, builder.Constant("knot", starts, 1, segments)));
        string ramps = builder.Node("Min", [past, builder.Constant("width", widths, 1, segments)]);
        string rise = builder.Reduce("ReduceSum", builder.Mul(ramps, builder.Constant("slope", slopes, 1, segments)), 1);
        return builder.Clip(builder.Add(rise, builder.Scalar(probabilities[0])), 0, 1);
    }
}
