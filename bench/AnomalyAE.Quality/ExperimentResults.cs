using System.Text;
using AnomalyAE.Visualization;

namespace AnomalyAE.Quality;

/// <summary>AUC per scorer, normal class and seed on one data set, with the tables and plots made from them. Adding is thread-safe.</summary>
internal sealed class ExperimentResults(string dataset)
{
    private readonly Dictionary<(string, int, int), double> _auc = [];
    private readonly Dictionary<(string, int), (float[] Scores, float[] Labels)> _scores = [];
    private readonly Dictionary<string, (double Seconds, int Fits)> _time = [];
    private readonly List<string> _scorers = [];

    public string Dataset => dataset;

    /// <summary>Scorer names in the order they were first measured.</summary>
    public IReadOnlyList<string> Scorers => _scorers;

    private readonly Lock _lock = new();

    public void Add(string scorer, int normal, int seed, double auc)
    {
        lock (_lock)
        {
            if (!_scorers.Contains(scorer)) _scorers.Add(scorer);
            _auc[(scorer, normal, seed)] = auc;
        }
    }

    public void KeepScores(string scorer, int normal, float[] scores, float[] labels)
    {
        lock (_lock) _scores[(scorer, normal)] = (scores, labels);
    }

    public void AddSeconds(string method, double seconds)
    {
        lock (_lock)
        {
            var (total, fits) = _time.GetValueOrDefault(method);
            _time[method] = (total + seconds, fits + 1);
        }
    }

    /// <summary>Mean seconds to train and score one model of <paramref name="method"/>.</summary>
    public double SecondsPerFit(string method) => _time.TryGetValue(method, out var t) ? t.Seconds / t.Fits : double.NaN;

    private int[] Classes => _auc.Keys.Select(k => k.Item2).Distinct().Order().ToArray();
    private int[] Seeds => _auc.Keys.Select(k => k.Item3).Distinct().Order().ToArray();

    private double ClassMean(string scorer, int normal) => Seeds.Average(s => _auc[(scorer, normal, s)]);

    /// <summary>The class-averaged AUC, and its standard deviation over seeds.</summary>
    public (double Mean, double Std) MeanOverClasses(string scorer) =>
        SeedSpread.Of(Seeds.Select(s => Classes.Average(c => _auc[(scorer, c, s)])).ToArray());

    /// <summary>
    /// AUC of each normal class against each other class alone (first seed), from the kept scores and the test rows'
    /// classes: which anomalies the scorer cannot tell from the normal class.
    /// </summary>
    public string PairwiseMarkdown(string scorer, int[] testClasses)
    {
        var classes = testClasses.Distinct().Order().ToArray();
        var text = new StringBuilder($"### {dataset}, {scorer}: AUC of normal class (row) against one anomalous class (column), seed {Seeds[0]}\n\n");
        text.Append("| normal → anomaly | " + string.Join(" | ", classes) + " |\n|---|" + string.Concat(classes.Select(_ => "---:|")) + "\n");
        foreach (int normal in Classes)
        {
            var scores = _scores[(scorer, normal)].Scores;
            var normalScores = scores.Where((_, i) => testClasses[i] == normal).ToArray();
            text.Append($"| {normal} | " + string.Join(" | ", classes.Select(a => a == normal ? "" :
                $"{Auc(normalScores, scores.Where((_, i) => testClasses[i] == a).ToArray()):F2}")) + " |\n");
        }
        return text.ToString();
    }

    /// <summary>P(anomaly score &gt; normal score), ties counted half (the Mann–Whitney form of ROC AUC).</summary>
    private static double Auc(float[] normal, float[] anomalous)
    {
        var sorted = normal.Order().ToArray();
        double wins = 0;
        foreach (float a in anomalous)
        {
            int below = LowerBound(sorted, a), notAbove = LowerBound(sorted, MathF.BitIncrement(a));
            wins += below + 0.5 * (notAbove - below);
        }
        return wins / ((double)normal.Length * anomalous.Length);
    }

    private static int LowerBound(float[] sorted, float value)
    {
        int low = 0, high = sorted.Length;
        while (low < high) { int mid = (low + high) / 2; if (sorted[mid] < value) low = mid + 1; else high = mid; }
        return low;
    }

    public string ToMarkdown()
    {
        var text = new StringBuilder($"### {dataset}: one-class ROC AUC (mean ± std over seeds {string.Join(", ", Seeds)})\n\n");
        text.Append("| method | " + string.Join(" | ", Classes) + " | mean |\n|---|" + string.Concat(Classes.Select(_ => "---:|")) + "---:|\n");
        foreach (var scorer in _scorers)
        {
            var (mean, std) = MeanOverClasses(scorer);
            text.Append($"| {scorer} | " + string.Join(" | ", Classes.Select(c => $"{ClassMean(scorer, c):F3}")) + $" | **{mean:F3}** ± {std:F3} |\n");
        }
        return text.ToString();
    }

    /// <summary>One row per scorer, one column per data set: mean AUC over classes (the sweep's table).</summary>
    public static string Summary(IReadOnlyList<ExperimentResults> all, IReadOnlyList<QualityMethod> methods)
    {
        var text = new StringBuilder("| configuration | " + string.Join(" | ", all.Select(r => r.Dataset)) + " | s per model (" + string.Join(", ", all.Select(r => r.Dataset)) + ") |\n");
        text.Append("|---|" + string.Concat(all.Select(_ => "---:|")) + "---:|\n");
        foreach (var method in methods)
            foreach (var scorer in all[0].Scorers.Where(s => s == method.Name || s.StartsWith(method.Name + ": ")))
                text.Append($"| {scorer} | " + string.Join(" | ", all.Select(r => $"{r.MeanOverClasses(scorer).Mean:F3}")) + " | " +
                    string.Join(", ", all.Select(r => $"{r.SecondsPerFit(method.Name):F1}")) + " |\n");
        return text.ToString();
    }

    public void SavePlots(string folder, string[] histogramScorers)
    {
        Charts.GroupedBars(Path.Combine(folder, $"{dataset}-auc-per-class.png"), Classes.Select(c => c.ToString()).ToArray(),
            _scorers.ToDictionary(m => m, m => Classes.Select(c => ClassMean(m, c)).ToArray()),
            $"{dataset}: one-class ROC AUC per normal class (mean over seeds)", yMin: 0.4);
        foreach (var scorer in histogramScorers.Where(_scorers.Contains))
        {
            var (scores, labels) = _scores[(scorer, Classes[0])];
            Charts.ScoreHistogram(Path.Combine(folder, $"{dataset}-scores-class{Classes[0]}-{FileName(scorer)}.png"), scores, float.NaN,
                labels.Select(l => l > 0).ToArray(), $"{dataset}, normal class {Classes[0]}: {scorer} scores");
        }
    }

    private static string FileName(string scorer) => new(scorer.Split(' ', ':')[0].Where(char.IsLetterOrDigit).ToArray());
}
