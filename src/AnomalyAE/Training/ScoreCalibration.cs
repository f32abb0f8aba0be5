namespace AnomalyAE.Training;

/// <summary>
/// The map from an anomaly score to a calibrated anomaly probability: piecewise linear through <see cref="Scores"/> →
/// <see cref="Probabilities"/> (both non-decreasing, scores strictly increasing), constant outside the first and last knot.
/// </summary>
/// <remarks>
/// <para>Method: a local false-discovery rate (Efron's two-group model) of the fitting rows' scores against a robust
/// model of the normal rows. The normal rows' upper tail is modelled as exponential (a generalized-Pareto tail of shape
/// 0), the usual tail of reconstruction errors (sums of squares are gamma-like): log S(s) = a − λ s for the share S of
/// rows above s, fitted by least squares to the points (q(u), log(1 − u)) of the quantile function at 17 levels u from
/// 0.75 to 0.97. A fit over that range of the tail, rather than one rate from the median and upper quartile, follows the
/// tail's own decay where the probability is read, so a bulk whose tail is heavier than its centre suggests is not taken
/// for anomalies. Between consecutive score quantiles above the upper quartile, the observed share O of rows is compared
/// with the share E the model puts there; adjacent bins are pooled until (ΣO − ΣE) / (ΣO + c) is non-decreasing (pool
/// adjacent violators on the pooled shares), clipped to [0, 1] and placed at each bin's centre. The prior c, half a row
/// (<see cref="PriorRows"/> / count), keeps a bin holding a fraction of one row from claiming certainty on its own. Scores
/// at or below the upper quartile get 0: the bulk is normal, and there chance excesses would only spread small
/// probabilities over it. Beyond the largest fitting score the map rises linearly to 1 where the model's tail holds a
/// millionth of the rows (or at the largest score, if that is further): a score never seen in training and that far out
/// is taken as an anomaly for sure.</para>
/// <para>On the tabular benchmark (bench/TABULAR.md, "Thresholds and calibration") this fit brought the defaults' mean
/// Brier score from 0.079 (the former median-to-quartile rate, no prior) to 0.068, just under a constant 0 (0.069); the
/// ranking under it, not the calibration, is most of what remains (the labels' best monotone map reaches 0.055).</para>
/// <para>It needs only the quantile function of the fitting scores (<see cref="Fit(Func{double, double}, long, GeneralizedParetoTail?)"/>), so an
/// exact sorted array or a streaming sketch can feed it (with the count of scores, for the prior). The probability reads "the share of rows at this score that
/// the normal rows alone do not explain", so it is near 0 in the bulk and near 1 where anomalies dominate; it assumes
/// most fitting rows (three quarters at least) are normal, as the threshold does.</para>
/// </remarks>
internal sealed record ScoreCalibration(float[] Scores, float[] Probabilities)
{
    /// <summary>Bins between the upper quartile and the largest fitting score: knots = bins + 2 at most.</summary>
    public const int Bins = 128;

    /// <summary>The most knots a valid calibration may hold (a model file's bound).</summary>
    public const int MaxKnots = 1024;

    /// <summary>Quantile levels of the tail fit: <see cref="TailFitPoints"/> levels from the first to the second.</summary>
    public const double TailFitFrom = 0.75, TailFitTo = 0.97;

    /// <summary>How many quantile levels the tail fit reads.</summary>
    public const int TailFitPoints = 17;

    /// <summary>The prior, in rows, each pooled bin's excess is shrunk against: (ΣO − ΣE) / (ΣO + this / count).</summary>
    public const double PriorRows = 0.5;

    /// <summary>The map reaches 1 at the latest where the normal rows' modelled tail holds this share of them.</summary>
    public const double CertainTail = 1e-6;

    /// <summary>
    /// The map as ONNX nodes applied to <paramref name="score"/> (shape [N]); returns the probability tensor (shape [N]). The
    /// piecewise-linear map is written as a sum of ramps, p(s) = p₀ + Σᵢ slopeᵢ · min(relu(s − sᵢ), sᵢ₊₁ − sᵢ): constant below
    /// the first knot and above the last, as <see cref="Probability"/> is.
    /// </summary>
    public string EmitOnnx(Networks.OnnxGraph g, string score)
    {
        int segments = Scores.Length - 1;
        var starts = new float[segments];
        var widths = new float[segments];
        var slopes = new float[segments];
        for (int i = 0; i < segments; i++)
        {
            starts[i] = Scores[i];
            widths[i] = Scores[i + 1] - Scores[i];
            slopes[i] = (float)((Probabilities[i + 1] - (double)Probabilities[i]) / ((double)Scores[i + 1] - Scores[i]));
        }
        string column = g.Unsqueeze(score, 1);                                                    // [N, 1]
        string past = g.Unary("Relu", g.Sub(column, g.Constant("knot", starts, 1, segments)));
        string ramps = g.Node("Min", [past, g.Constant("width", widths, 1, segments)]);
        string rise = g.Reduce("ReduceSum", g.Mul(ramps, g.Constant("slope", slopes, 1, segments)), 1);
        return g.Clip(g.Add(rise, g.Scalar(Probabilities[0])), 0, 1);
    }

    /// <summary>The calibrated probability of <paramref name="score"/>: in [0, 1], non-decreasing in the score.</summary>
    public float Probability(float score)
    {
        if (!(score > Scores[0])) return Probabilities[0]; // NaN scores too: never produced, the features are checked finite
        if (score >= Scores[^1]) return Probabilities[^1];
        int index = Array.BinarySearch(Scores, score);
        if (index >= 0) return Probabilities[index];
        int high = ~index, low = high - 1;
        double fraction = ((double)score - Scores[low]) / ((double)Scores[high] - Scores[low]);
        return (float)Math.Clamp(Probabilities[low] + (Probabilities[high] - (double)Probabilities[low]) * fraction, 0, 1);
    }

    /// <summary>The calibration of scores whose quantile function is <paramref name="quantile"/> (u in [0, 1] → score; u = 1 is the largest).</summary>
    /// <remarks>
    /// With a peaks-over-threshold <paramref name="extremeTail"/> (the tail the threshold was read from), the normal rows' share
    /// above a score from that tail's start on is the fitted generalized Pareto tail's, and the map reaches 1 where that tail
    /// holds <see cref="CertainTail"/> of the rows: the probability and the threshold read the same tail.
    /// </remarks>
    public static ScoreCalibration Fit(Func<double, double> quantile, long count, GeneralizedParetoTail? extremeTail = null)
    {
        double upperQuartile = quantile(0.75), largest = quantile(1);
        if (FitTail(quantile) is not var (centre, logShare, rate)) return Step(largest);
        double NullTail(double score) => extremeTail is { } tail && score >= tail.Start
            ? tail.Survival(score)
            : Math.Min(1, Math.Exp(logShare - rate * (score - centre)));

        // Bin edges at quantiles of the upper quarter, denser towards the largest score: u_i = 1 − ¼ (1 − i/B)².
        var bins = new List<(double Low, double High, double Observed, double Expected)>();
        double lowEdge = upperQuartile, lowU = 0.75, pendingMass = 0;
        for (int i = 1; i <= Bins; i++)
        {
            double u = 1 - 0.25 * Math.Pow(1 - i / (double)Bins, 2);
            double edge = quantile(u);
            pendingMass += u - lowU;
            lowU = u;
            if (!(edge > lowEdge)) continue; // tied scores: the mass joins the next bin of positive width
            bins.Add((lowEdge, edge, pendingMass, NullTail(lowEdge) - NullTail(edge)));
            lowEdge = edge;
            pendingMass = 0;
        }
        if (bins.Count == 0) return Step(largest);
        if (pendingMass > 0) bins[^1] = bins[^1] with { Observed = bins[^1].Observed + pendingMass };

        // Unclipped, so that bins where the model expects more than is observed cancel chance excesses next to them when
        // pooled; clipped to [0, 1] after.
        var probabilities = PooledExcess(bins.Select(b => (b.Observed, b.Expected)).ToArray(), PriorRows / Math.Max(1, count));
        var knots = new List<(double Score, double Probability)> { (upperQuartile, 0) };
        for (int b = 0; b < bins.Count; b++) knots.Add(((bins[b].Low + bins[b].High) / 2, probabilities[b]));
        double certain = extremeTail is { } t ? t.Quantile(CertainTail) : centre + (logShare - Math.Log(CertainTail)) / rate;
        knots.Add((double.IsFinite(certain) ? Math.Max(certain, largest) : largest, 1));
        return FromKnots(knots);
    }

    /// <summary>The calibration of the scores <paramref name="distribution"/> summarizes (exact, or a streaming sketch).</summary>
    public static ScoreCalibration Fit(IScoreQuantiles distribution, GeneralizedParetoTail? extremeTail = null) =>
        Fit(u => distribution.Quantiles([u])[0], distribution.Count, extremeTail);

    /// <summary>The calibration of <paramref name="scores"/> themselves (their exact quantiles).</summary>
    public static ScoreCalibration Fit(float[] scores) => Fit(ScoreDistribution.Exact((float[])scores.Clone()));

    /// <summary>
    /// Why <paramref name="scores"/> and <paramref name="probabilities"/> are not a valid calibration, or null when they are:
    /// equal counts from 2 to <see cref="MaxKnots"/>, finite, scores strictly increasing, probabilities in [0, 1] non-decreasing.
    /// </summary>
    public static string? Problem(float[]? scores, float[]? probabilities)
    {
        if (scores is null || probabilities is null) return "the knots' scores or probabilities are missing";
        if (scores.Length != probabilities.Length) return $"it has {scores.Length} knot scores but {probabilities.Length} probabilities; they must pair up";
        if (scores.Length is < 2 or > MaxKnots) return $"it has {scores.Length} knots; expected 2 to {MaxKnots}";
        for (int i = 0; i < scores.Length; i++)
        {
            if (!float.IsFinite(scores[i])) return $"knot {i}'s score is {scores[i]}; scores must be finite";
            if (!(probabilities[i] >= 0 && probabilities[i] <= 1)) return $"knot {i}'s probability is {probabilities[i]}; probabilities must be in [0, 1]";
            if (i > 0 && !(scores[i] > scores[i - 1])) return $"knot {i}'s score {scores[i]} is not above knot {i - 1}'s {scores[i - 1]}; scores must increase";
            if (i > 0 && probabilities[i] < probabilities[i - 1]) return $"knot {i}'s probability {probabilities[i]} is below knot {i - 1}'s {probabilities[i - 1]}; probabilities must not decrease";
        }
        return null;
    }

    /// <summary>Scores up to <paramref name="largest"/> get 0, higher ones 1 (the fitting scores have no spread).</summary>
    private static ScoreCalibration Step(double largest)
    {
        float top = (float)largest, above = MathF.BitIncrement(top);
        return float.IsFinite(above) ? new([top, above], [0, 1]) : new([MathF.BitDecrement(top), top], [0, 1]);
    }

    /// <summary>Float knots; knots that collapse onto the previous score replace it (their probability is not lower).</summary>
    private static ScoreCalibration FromKnots(List<(double Score, double Probability)> knots)
    {
        var scores = new List<float>();
        var probabilities = new List<float>();
        foreach (var (score, probability) in knots)
        {
            float x = (float)score, y = (float)Math.Clamp(probability, 0, 1);
            if (scores.Count > 0 && !(x > scores[^1])) { probabilities[^1] = Math.Max(probabilities[^1], y); continue; }
            scores.Add(x);
            probabilities.Add(y);
        }
        return scores.Count >= 2 ? new([.. scores], [.. probabilities]) : Step(knots[^1].Score);
    }

    /// <summary>
    /// The exponential tail log S(s) = <c>LogShare</c> − <c>Rate</c> · (s − <c>Centre</c>) fitted by least squares to the
    /// quantile function's points from <see cref="TailFitFrom"/> to <see cref="TailFitTo"/>; null when the scores there have
    /// no spread or do not decay.
    /// </summary>
    private static (double Centre, double LogShare, double Rate)? FitTail(Func<double, double> quantile)
    {
        var points = Enumerable.Range(0, TailFitPoints)
            .Select(i => TailFitFrom + (TailFitTo - TailFitFrom) * i / (TailFitPoints - 1))
            .Select(u => (Score: quantile(u), LogShare: Math.Log(1 - u))).ToArray();
        double centre = points.Average(p => p.Score), logShare = points.Average(p => p.LogShare);
        double spread = points.Sum(p => (p.Score - centre) * (p.Score - centre));
        double rate = -points.Sum(p => (p.Score - centre) * (p.LogShare - logShare)) / spread;
        return rate > 0 && double.IsFinite(rate) && double.IsFinite(centre) ? (centre, logShare, rate) : null;
    }

    /// <summary>
    /// (ΣO − ΣE) / (ΣO + <paramref name="prior"/>) per bin, over blocks of adjacent bins pooled until it is non-decreasing
    /// (pool adjacent violators, each block valued by its own pooled shares).
    /// </summary>
    private static double[] PooledExcess((double Observed, double Expected)[] bins, double prior)
    {
        double Value((double Observed, double Expected, int Count) block) => (block.Observed - block.Expected) / (block.Observed + prior);
        var blocks = new List<(double Observed, double Expected, int Count)>();
        foreach (var (observed, expected) in bins)
        {
            (double Observed, double Expected, int Count) block = (observed, expected, 1);
            while (blocks.Count > 0 && Value(blocks[^1]) > Value(block))
            {
                var previous = blocks[^1];
                blocks.RemoveAt(blocks.Count - 1);
                block = (previous.Observed + block.Observed, previous.Expected + block.Expected, previous.Count + block.Count);
            }
            blocks.Add(block);
        }
        return [.. blocks.SelectMany(b => Enumerable.Repeat(Value(b), b.Count))];
    }
}
