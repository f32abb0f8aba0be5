// Latent features as a learned dimensionality reduction: an ML.NET classifier on k autoencoder features versus on k
// principal components (ProjectToPrincipalComponents), for the bundled MNIST digits.
// Usage: dotnet run --project samples/DimensionalityReduction -c Release [-- --epochs 30]
using AnomalyAE;
using AnomalyAE.Datasets;
using Microsoft.ML;
using Microsoft.ML.Data;

int epochs = args.Length == 2 && args[0] == "--epochs" ? int.Parse(args[1]) : 30;
var folder = Path.Combine(AppContext.BaseDirectory, "data");
var digits = ImageDataset.ReadPair(folder, "mnist");
var ml = new MLContext(seed: 1);
var schema = SchemaDefinition.Create(typeof(LabelledDigit));
var rows = digits.Select(d => new LabelledDigit { Features = d.Features, Digit = (uint)d.Class }).ToArray();
var train = ml.Data.LoadFromEnumerable(rows[..8000], schema);
var test = ml.Data.LoadFromEnumerable(rows[8000..], schema);

Console.WriteLine($"{"k",3} {"autoencoder",12} {"PCA",8}   (accuracy of SDCA maximum-entropy on k features, {rows.Length - 8000} test digits)");
foreach (int k in new[] { 2, 8, 32 })
{
    double latent = Accuracy(ml.Autoencoders().ProjectToLatentSpace("Reduced", "Features", latentDimension: k, hiddenLayers: [256], epochs: epochs, seed: 1));
    double pca = Accuracy(ml.Transforms.ProjectToPrincipalComponents("Reduced", "Features", rank: k, seed: 1));
    Console.WriteLine($"{k,3} {latent,12:P1} {pca,8:P1}");
}

double Accuracy(IEstimator<ITransformer> reduction)
{
    var pipeline = reduction
        .Append(ml.Transforms.NormalizeMeanVariance("Reduced"))
        .Append(ml.Transforms.Conversion.MapValueToKey("Label", "Digit"))
        .Append(ml.MulticlassClassification.Trainers.SdcaMaximumEntropy("Label", "Reduced"));
    var model = pipeline.Fit(train);
    double accuracy = ml.MulticlassClassification.Evaluate(model.Transform(test)).MicroAccuracy;
    (model as IDisposable)?.Dispose();
    return accuracy;
}

sealed class LabelledDigit
{
    [VectorType(784)] public float[] Features { get; set; } = [];
    public uint Digit { get; set; }
}
