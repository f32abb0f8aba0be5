using ScottPlot;

namespace AnomalyAE.Visualization;

/// <summary>Charts saved as PNG with ScottPlot.</summary>
public static class Charts
{
    /// <summary>Points of a 2-D latent space, one colour per class, with a legend.</summary>
    public static void LatentScatter(string path, IReadOnlyList<float[]> points, IReadOnlyList<int> classes, string title, int width = 800, int height = 700)
    {
        var plot = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        foreach (int c in classes.Distinct().Order())
        {
            var xs = points.Where((_, i) => classes[i] == c).Select(p => (double)p[0]).ToArray();
            var ys = points.Where((_, i) => classes[i] == c).Select(p => (double)p[1]).ToArray();
            var scatter = plot.Add.ScatterPoints(xs, ys);
            scatter.Color = palette.GetColor(c).WithAlpha(0.7);
            scatter.MarkerSize = 4;
            scatter.LegendText = c.ToString();
        }
        plot.Title(title);
        plot.XLabel("z₁");
        plot.YLabel("z₂");
        plot.ShowLegend(Alignment.UpperRight);
        Save(plot, path, width, height);
    }

    /// <summary>Histogram of anomaly scores with the decision threshold; split by label when labels are given.</summary>
    public static void ScoreHistogram(string path, IReadOnlyList<float> scores, float threshold, IReadOnlyList<bool>? isAnomaly = null,
        string title = "Anomaly scores", int bins = 60, int width = 800, int height = 500)
    {
        var plot = new Plot();
        double min = scores.Min(), max = scores.Max();
        if (max <= min) max = min + 1e-6;
        void AddHistogram(IEnumerable<float> values, string legend, Color color)
        {
            var histogram = ScottPlot.Statistics.Histogram.WithBinCount(bins, min, max);
            histogram.AddRange(values.Select(v => (double)v));
            var bars = plot.Add.Bars(histogram.Bins, histogram.Counts);
            bars.LegendText = legend;
            foreach (var bar in bars.Bars)
            {
                bar.FillColor = color.WithAlpha(0.6);
                bar.LineWidth = 0;
                bar.Size = (max - min) / bins;
            }
        }
        if (isAnomaly is null) AddHistogram(scores, "rows", Colors.SteelBlue);
        else
        {
            AddHistogram(scores.Where((_, i) => !isAnomaly[i]), "normal", Colors.SteelBlue);
            AddHistogram(scores.Where((_, i) => isAnomaly[i]), "anomalous", Colors.OrangeRed);
        }
        if (float.IsFinite(threshold))
        {
            var line = plot.Add.VerticalLine(threshold);
            line.LegendText = $"threshold {threshold:G4}";
            line.Color = Colors.Black;
            line.LinePattern = LinePattern.Dashed;
        }
        plot.Title(title);
        plot.XLabel("score");
        plot.YLabel("rows");
        plot.ShowLegend(Alignment.UpperRight);
        Save(plot, path, width, height);
    }

    /// <summary>
    /// A time series and its anomaly scores over the row index: the values on the left axis (gaps where NaN), the score (a
    /// line over each run of scored rows; rows without a score are left out) and the threshold on the right, labeled ranges
    /// shaded, and the rows above the threshold marked.
    /// </summary>
    public static void SeriesScores(string path, IReadOnlyList<double> values, IReadOnlyList<float> scores, float threshold, IReadOnlyList<(int Start, int End)> labeled,
        string title, string valueName = "value", int width = 1400, int height = 500)
    {
        var plot = new Plot();
        for (int i = 0; i < labeled.Count; i++)
        {
            var span = plot.Add.HorizontalSpan(labeled[i].Start, labeled[i].End);
            span.FillStyle.Color = Colors.Orange.WithAlpha(0.25);
            span.LineStyle.Width = 0;
            if (i == 0) span.LegendText = "labeled anomaly";
        }
        // Lines over each run of finite values: a signal that holds NaN (a missing step, the rows before a series' first
        // window) is not drawn, nor scaled to.
        FiniteRuns(plot, [.. values], Colors.SteelBlue, valueName, plot.Axes.Left);
        FiniteRuns(plot, [.. scores.Select(s => (double)s)], Colors.DarkRed.WithAlpha(0.8), "score", plot.Axes.Right);
        int[] above = [.. Enumerable.Range(0, scores.Count).Where(i => float.IsFinite(scores[i]) && scores[i] > threshold)];
        if (above.Length > 0)
        {
            var marks = plot.Add.ScatterPoints(above.Select(i => (double)i).ToArray(), above.Select(i => (double)scores[i]).ToArray());
            marks.Color = Colors.Red;
            marks.MarkerSize = 4;
            marks.Axes.YAxis = plot.Axes.Right;
            marks.LegendText = "above the threshold";
        }
        if (float.IsFinite(threshold))
        {
            var line = plot.Add.HorizontalLine(threshold);
            line.Axes.YAxis = plot.Axes.Right;
            line.Color = Colors.Black;
            line.LinePattern = LinePattern.Dashed;
            line.LegendText = $"threshold {threshold:G4}";
        }
        plot.Title(title);
        plot.XLabel("row");
        plot.Axes.Left.Label.Text = valueName;
        plot.Axes.Right.Label.Text = "score";
        plot.ShowLegend(Alignment.UpperLeft);
        Save(plot, path, width, height);
    }

    // A line per run of consecutive finite values of ys (x = index), on yAxis; the first carries the legend.
    private static void FiniteRuns(Plot plot, double[] ys, Color color, string legend, IYAxis yAxis)
    {
        bool first = true;
        for (int i = 0; i < ys.Length; i++)
        {
            if (!double.IsFinite(ys[i])) continue;
            int start = i;
            while (i + 1 < ys.Length && double.IsFinite(ys[i + 1])) i++;
            double[] xs = [.. Enumerable.Range(start, i - start + 1).Select(x => (double)x)];
            var line = plot.Add.ScatterLine(xs, ys[start..(i + 1)]);
            line.Color = color;
            line.Axes.YAxis = yAxis;
            if (first) line.LegendText = legend;
            first = false;
        }
    }

    /// <summary>Bars per category, one colour per series (e.g. AUC per class and method).</summary>
    public static void GroupedBars(string path, IReadOnlyList<string> categories, IReadOnlyDictionary<string, double[]> series, string title, double yMin = 0, int width = 1200, int height = 550)
    {
        var plot = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        int count = series.Count;
        double width1 = 0.8 / count;
        int s = 0;
        foreach (var (name, values) in series)
        {
            var bars = values.Select((v, c) => new Bar { Position = c + (s - (count - 1) / 2.0) * width1, Value = v, ValueBase = yMin, Size = width1, FillColor = palette.GetColor(s), LineWidth = 0 }).ToList();
            var plotted = plot.Add.Bars(bars);
            plotted.LegendText = name;
            s++;
        }
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(categories.Select((c, i) => new Tick(i, c)).ToArray());
        plot.Axes.SetLimitsY(yMin, 1.0);
        plot.Title(title);
        plot.ShowLegend(Edge.Right); // beside the plot: inside it would cover the last groups' bars
        Save(plot, path, width, height);
    }

    /// <summary>Training and validation loss per epoch.</summary>
    public static void LossCurves(string path, IReadOnlyList<(int Epoch, double Training, double? Validation)> history, string title, double? reference = null, string? referenceLabel = null)
    {
        var plot = new Plot();
        var epochs = history.Select(h => (double)h.Epoch).ToArray();
        var training = plot.Add.Scatter(epochs, history.Select(h => h.Training).ToArray());
        training.LegendText = "training";
        var validated = history.Where(h => h.Validation is not null).ToArray();
        if (validated.Length > 0)
        {
            var validation = plot.Add.Scatter(validated.Select(h => (double)h.Epoch).ToArray(), validated.Select(h => h.Validation!.Value).ToArray());
            validation.LegendText = "validation";
        }
        if (reference is double r)
        {
            var line = plot.Add.HorizontalLine(r);
            line.LinePattern = LinePattern.Dashed;
            line.LegendText = referenceLabel ?? $"reference {r}";
        }
        plot.Title(title);
        plot.XLabel("epoch");
        plot.YLabel("loss");
        plot.ShowLegend(Alignment.UpperRight);
        Save(plot, path, 800, 500);
    }

    /// <summary>
    /// Horizontal bars of the <paramref name="top"/> largest shares, largest at the top, each labelled by its feature name:
    /// which features carry a row's reconstruction error.
    /// </summary>
    public static void ContributionBars(string path, IReadOnlyList<string> names, IReadOnlyList<float> shares, string title, int top = 10, int width = 900, int height = 550)
    {
        if (names.Count != shares.Count) throw new ArgumentException($"{names.Count} names for {shares.Count} shares.", nameof(names));
        var largest = Enumerable.Range(0, shares.Count).OrderByDescending(j => shares[j]).ThenBy(j => j).Take(top).ToArray();
        var plot = new Plot();
        var color = new ScottPlot.Palettes.Category10().GetColor(0);
        // Position k from the top: the largest share gets the highest position.
        var bars = largest.Select((j, k) => new Bar { Position = largest.Length - 1 - k, Value = shares[j], FillColor = color, LineWidth = 0 }).ToList();
        var plotted = plot.Add.Bars(bars);
        plotted.Horizontal = true;
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericManual(largest.Select((j, k) => new Tick(largest.Length - 1 - k, names[j])).ToArray());
        plot.Axes.SetLimitsX(0, Math.Max(0.05, largest.Select(j => (double)shares[j]).DefaultIfEmpty(0).Max() * 1.1));
        plot.Title(title);
        plot.XLabel("share of the row's reconstruction error");
        Save(plot, path, width, height);
    }

    private static void Save(Plot plot, string path, int width, int height)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        plot.SavePng(path, width, height);
    }
}
