using System.Text;
using AnomalyAE.Datasets;
using AnomalyAE.Visualization;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace AnomalyAE.Quality;

/// <summary>The one-class protocol over every method, class and seed.</summary>
internal sealed class OneClassExperiment(ImageRow[] train, ImageRow[] test, QualitySettings settings)
{
    public static readonly string[] Methods =
    [
        "AE (defaults)", "AE 784-128-32", "Denoising AE", "Sparse AE", "VAE: reconstruction error", "VAE: negative ELBO", "VAE: reconstruction probability", "RandomizedPca",
    ];

    public ExperimentResults Run(string dataset)
    {
        var results = new ExperimentResults();
        foreach (int normal in settings.Classes)
        {
            var ml = new MLContext(seed: 1);
            var trainData = Load(ml, train.Where(r => r.Class == normal), normal);
            var testData = Load(ml, test, normal);
            foreach (int seed in settings.Seeds)
            {
                foreach (var (method, scores) in ScoreAll(ml, trainData, testData, seed))
                {
                    double auc = ml.AnomalyDetection.Evaluate(scores).AreaUnderRocCurve;
                    results.Add(method, normal, seed, auc);
                    if (seed == settings.Seeds[0]) results.KeepScores(method, normal, scores.GetColumn<float>("Score").ToArray(), scores.GetColumn<float>("Label").ToArray());
                }
                Console.WriteLine($"  {dataset} class {normal} seed {seed}: " + string.Join(", ", Methods.Select(m => $"{m} {results.Auc(m, normal, seed):F3}")));
            }
        }
        return results;
    }

    private IEnumerable<(string Method, IDataView Scored)> ScoreAll(MLContext ml, IDataView trainData, IDataView testData, int seed)
    {
        AutoencoderOptions Ae(Action<AutoencoderOptions>? edit = null)
        {
            var options = new AutoencoderOptions { Seed = seed, NumberOfThreads = settings.Threads };
            edit?.Invoke(options);
            return options;
        }
        IDataView Score(ITransformer model) { var scored = model.Transform(testData); return ml.Data.LoadFromEnumerable(Materialize(scored), SchemaDefinition.Create(typeof(ScoredRow))); }

        using (var model = ml.Autoencoders().Autoencoder(Ae()).Fit(trainData)) yield return ("AE (defaults)", Score(model));
        using (var model = ml.Autoencoders().Autoencoder(Ae(o => { o.HiddenLayers = [128]; o.LatentDimension = 32; })).Fit(trainData)) yield return ("AE 784-128-32", Score(model));
        using (var model = ml.Autoencoders().Autoencoder(Ae(o => { o.Noise = InputNoise.Gaussian; o.NoiseLevel = 0.2; })).Fit(trainData)) yield return ("Denoising AE", Score(model));
        using (var model = ml.Autoencoders().Autoencoder(Ae(o => { o.Sparsity = SparsityPenalty.L1; o.SparsityWeight = 1e-3; o.LatentActivation = AutoencoderActivation.ReLU; })).Fit(trainData)) yield return ("Sparse AE", Score(model));
        var vaeOptions = new VariationalAutoencoderOptions { Seed = seed, NumberOfThreads = settings.Threads, LatentDimension = 8 };
        using (var vae = ml.Autoencoders().VariationalAutoencoder(vaeOptions).Fit(trainData))
        {
            yield return ("VAE: reconstruction error", Score(vae));
            using (var elbo = vae.WithScoreKind(VariationalScoreKind.NegativeElbo, 0)) yield return ("VAE: negative ELBO", Score(elbo));
            using (var probability = vae.WithScoreKind(VariationalScoreKind.ReconstructionProbability, 0)) yield return ("VAE: reconstruction probability", Score(probability));
        }
        var pca = ml.AnomalyDetection.Trainers.RandomizedPca(new Microsoft.ML.Trainers.RandomizedPcaTrainer.Options { FeatureColumnName = "Features", Rank = 20, Seed = seed }).Fit(trainData);
        yield return ("RandomizedPca", Score(pca));
    }

    private static IEnumerable<ScoredRow> Materialize(IDataView scored)
    {
        var scores = scored.GetColumn<float>("Score").ToArray();
        var labels = scored.GetColumn<float>("Label").ToArray();
        return scores.Select((s, i) => new ScoredRow { Score = s, Label = labels[i], PredictedLabel = false }).ToArray();
    }

    private static IDataView Load(MLContext ml, IEnumerable<ImageRow> rows, int normal)
    {
        var schema = SchemaDefinition.Create(typeof(LabelledImage));
        schema["Features"].ColumnType = new VectorDataViewType(NumberDataViewType.Single, 784);
        return ml.Data.LoadFromEnumerable(rows.Select(r => new LabelledImage { Features = r.Features, Label = r.Class == normal ? 0f : 1f }).ToArray(), schema);
    }

    private sealed class LabelledImage
    {
        public float[] Features { get; set; } = [];
        public float Label { get; set; }
    }

    private sealed class ScoredRow
    {
        public float Score { get; set; }
        public float Label { get; set; }
        public bool PredictedLabel { get; set; }
    }
}

/// <summary>AUC per method, class and seed, with the markdown table and the plots made from them.</summary>
internal sealed class ExperimentResults
{
    private readonly Dictionary<(string, int, int), double> _auc = [];
    private readonly Dictionary<(string, int), (float[] Scores, float[] Labels)> _scores = [];

    public void Add(string method, int normal, int seed, double auc) => _auc[(method, normal, seed)] = auc;
    public double Auc(string method, int normal, int seed) => _auc[(method, normal, seed)];
    public void KeepScores(string method, int normal, float[] scores, float[] labels) => _scores[(method, normal)] = (scores, labels);

    private int[] Classes => _auc.Keys.Select(k => k.Item2).Distinct().Order().ToArray();
    private int[] Seeds => _auc.Keys.Select(k => k.Item3).Distinct().Order().ToArray();

    private (double Mean, double Std) ClassStats(string method, int normal)
    {
        var values = Seeds.Select(s => _auc[(method, normal, s)]).ToArray();
        double mean = values.Average();
        return (mean, Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / Math.Max(1, values.Length - 1)));
    }

    private (double Mean, double Std) MeanOverClasses(string method)
    {
        // Spread over seeds of the class-averaged AUC.
        var perSeed = Seeds.Select(s => Classes.Average(c => _auc[(method, c, s)])).ToArray();
        double mean = perSeed.Average();
        return (mean, Math.Sqrt(perSeed.Sum(v => (v - mean) * (v - mean)) / Math.Max(1, perSeed.Length - 1)));
    }

    public string ToMarkdown(string dataset)
    {
        var text = new StringBuilder($"### {dataset}: one-class ROC AUC (mean ± std over seeds {string.Join(", ", Seeds)})\n\n");
        text.Append("| method | " + string.Join(" | ", Classes) + " | mean |\n|---|" + string.Concat(Classes.Select(_ => "---:|")) + "---:|\n");
        foreach (var method in OneClassExperiment.Methods)
        {
            var (mean, std) = MeanOverClasses(method);
            text.Append($"| {method} | " + string.Join(" | ", Classes.Select(c => $"{ClassStats(method, c).Mean:F3}")) + $" | **{mean:F3}** ± {std:F3} |\n");
        }
        return text.ToString();
    }

    public void SavePlots(string dataset, string folder)
    {
        Charts.GroupedBars(Path.Combine(folder, $"{dataset}-auc-per-class.png"), Classes.Select(c => c.ToString()).ToArray(),
            OneClassExperiment.Methods.ToDictionary(m => m, m => Classes.Select(c => ClassStats(m, c).Mean).ToArray()),
            $"{dataset}: one-class ROC AUC per normal class (mean over seeds)", yMin: 0.4);
        foreach (var method in new[] { "AE (defaults)", "RandomizedPca" })
        {
            var (scores, labels) = _scores[(method, Classes[0])];
            Charts.ScoreHistogram(Path.Combine(folder, $"{dataset}-scores-class{Classes[0]}-{method.Split(' ')[0]}.png"), scores, float.NaN,
                labels.Select(l => l > 0).ToArray(), $"{dataset}, normal class {Classes[0]}: {method} scores");
        }
    }
}
