using System.Text;
using Microsoft.ML;

namespace AnomalyAE.Quality;

/// <summary>
/// Dimensionality reduction: accuracy of ML.NET's SDCA maximum-entropy classifier on k latent features
/// (<c>ProjectToLatentSpace</c>, library defaults but k) against k principal components (<c>ProjectToPrincipalComponents</c>).
/// </summary>
internal static class ReductionExperiment
{
    public static string Run(OneClassDataset digits, int[] seeds, int[] ranks, int threads)
    {
        var text = new StringBuilder($"### Dimensionality reduction: test accuracy of SdcaMaximumEntropy on k features (mean ± std over seeds {string.Join(", ", seeds)})\n\n");
        text.Append($"{digits.Description}.\n\n| k | `ProjectToLatentSpace` | `ProjectToPrincipalComponents` |\n|---:|---:|---:|\n");
        var train = digits.Train.ToDataView("Class", r => r.Class);
        var test = digits.Test.ToDataView("Class", r => r.Class);
        foreach (int k in ranks)
        {
            var latent = seeds.Select(seed => Accuracy(train, test, seed, ml => ml.Autoencoders().Autoencoder(new AutoencoderOptions
            {
                FeatureColumnName = "Features", LatentFeaturesColumnName = "Reduced", ScoreColumnName = null, PredictedLabelColumnName = null,
                ReconstructionColumnName = null, LatentDimension = k, Seed = seed, NumberOfThreads = threads, EnsembleSize = 1,
            }))).ToArray();
            var pca = seeds.Select(seed => Accuracy(train, test, seed, ml => ml.Transforms.ProjectToPrincipalComponents("Reduced", "Features", rank: k, seed: seed))).ToArray();
            text.Append($"| {k} | {Format(latent)} | {Format(pca)} |\n");
            Console.WriteLine($"  k {k}: latent {Format(latent)}, PCA {Format(pca)}");
        }
        return text.ToString();
    }

    private static double Accuracy(IDataView train, IDataView test, int seed, Func<MLContext, IEstimator<ITransformer>> reduction)
    {
        var ml = new MLContext(seed);
        var pipeline = reduction(ml)
            .Append(ml.Transforms.NormalizeMeanVariance("Reduced"))
            .Append(ml.Transforms.Conversion.MapValueToKey("Label", "Class"))
            .Append(ml.MulticlassClassification.Trainers.SdcaMaximumEntropy("Label", "Reduced"));
        var model = pipeline.Fit(train);
        try { return ml.MulticlassClassification.Evaluate(model.Transform(test)).MicroAccuracy; }
        finally { (model as IDisposable)?.Dispose(); }
    }

    private static string Format(double[] accuracies)
    {
        var (mean, std) = SeedSpread.Of(accuracies);
        return $"{mean:P1} ± {std * 100:F1}";
    }
}
