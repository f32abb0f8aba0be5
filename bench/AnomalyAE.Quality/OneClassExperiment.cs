using AnomalyAE.DataViews;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace AnomalyAE.Quality;

/// <summary>
/// The one-class protocol: for each normal class, train every method on that class's training rows only, score every
/// test row, ROC AUC (ML.NET's evaluator) with that class as normal and the other classes as anomalies.
/// </summary>
/// <remarks>
/// With <paramref name="parallelClasses"/> &gt; 1 several normal classes train at once, each model on
/// <paramref name="threads"/> libtorch threads: on small matrices two 1-thread models outrun one 2-thread model, and the
/// results are those of a sequential run with the same thread count (same seed, data and threads ⇒ same weights).
/// </remarks>
internal sealed class OneClassExperiment(OneClassDataset dataset, IReadOnlyList<QualityMethod> methods, int[] seeds, int threads, int parallelClasses)
{
    public ExperimentResults Run()
    {
        var results = new ExperimentResults(dataset.Name);
        Parallel.ForEach(dataset.NormalClasses, new ParallelOptions { MaxDegreeOfParallelism = parallelClasses }, normal =>
        {
            var ml = new MLContext(seed: 1);
            var (trainData, testData) = Prepare(ml, normal);
            foreach (int seed in seeds)
            {
                var line = new List<string>();
                foreach (var method in methods)
                {
                    var clock = System.Diagnostics.Stopwatch.StartNew();
                    var scorers = method.Fit(ml, trainData, seed, threads);
                    try
                    {
                        foreach (var (name, model) in scorers)
                        {
                            var (scores, labels) = Score(model, testData);
                            double auc = ml.AnomalyDetection.Evaluate(ToScoredView(ml, scores, labels)).AreaUnderRocCurve;
                            results.Add(name, normal, seed, auc);
                            if (seed == seeds[0]) results.KeepScores(name, normal, scores, labels);
                            line.Add($"{name} {auc:F3}");
                        }
                    }
                    finally
                    {
                        foreach (var (_, model) in scorers) (model as IDisposable)?.Dispose();
                    }
                    results.AddSeconds(method.Name, clock.Elapsed.TotalSeconds);
                }
                Console.WriteLine($"  {dataset.Name} class {normal} seed {seed}: " + string.Join(", ", line));
            }
        });
        return results;
    }

    /// <summary>Training rows of the normal class and every test row (label 1 = anomaly), standardized on the training rows if the data set asks.</summary>
    private (IDataView Train, IDataView Test) Prepare(MLContext ml, int normal)
    {
        float Label(LabelledRow row) => row.Class == normal ? 0f : 1f;
        IDataView train = dataset.Train.Where(r => r.Class == normal).ToArray().ToDataView("Label", Label);
        IDataView test = dataset.Test.ToDataView("Label", Label);
        if (!dataset.Standardize) return (train, test);
        var scaler = ml.Transforms.NormalizeMeanVariance("Features", fixZero: false).Fit(train);
        return (Materialize(scaler.Transform(train)), Materialize(scaler.Transform(test)));
    }

    private IDataView Materialize(IDataView data) => new ColumnarDataView.Builder()
        .AddVector("Features", dataset.Features, data.ReadVectors("Features"))
        .AddSingle("Label", data.GetColumn<float>("Label").ToArray())
        .Build();

    private static (float[] Scores, float[] Labels) Score(ITransformer model, IDataView test)
    {
        var scored = model.Transform(test);
        return (scored.GetColumn<float>("Score").ToArray(), scored.GetColumn<float>("Label").ToArray());
    }

    private static IDataView ToScoredView(MLContext ml, float[] scores, float[] labels) =>
        ml.Data.LoadFromEnumerable(scores.Select((s, i) => new ScoredRow { Score = s, Label = labels[i] }).ToArray());

    private sealed class ScoredRow
    {
        public float Score { get; set; }
        public float Label { get; set; }
        public bool PredictedLabel { get; set; }
    }
}
