// An autoencoder as one stage of an ML.NET pipeline: normalize → autoencoder → evaluate → save → load → PredictionEngine.
// Normal data: handwritten 1s; anomalies: every other digit. Usage: dotnet run --project samples/PipelineSample -c Release
using AnomalyAE;
using AnomalyAE.Datasets;
using Microsoft.ML;
using Microsoft.ML.Data;

var folder = Path.Combine(AppContext.BaseDirectory, "data");
var digits = ImageDataset.ReadPair(folder, "mnist");
var rows = digits.Select(d => new Digit { Features = d.Features, Label = d.Class == 1 ? 0f : 1f }).ToArray();

var ml = new MLContext(seed: 1);
var schema = SchemaDefinition.Create(typeof(Digit));
var train = ml.Data.LoadFromEnumerable(rows[..8000].Where(r => r.Label == 0), schema);   // only normal rows
var test = ml.Data.LoadFromEnumerable(rows[8000..], schema);

var pipeline = ml.Transforms.NormalizeMinMax("Features")
    .Append(ml.Autoencoders().Autoencoder(new AutoencoderOptions { HiddenLayers = [128], LatentDimension = 16, Epochs = 30, Contamination = 0.02 }));
using var model = pipeline.Fit(train);

var metrics = ml.AnomalyDetection.Evaluate(model.Transform(test), falsePositiveCount: 20);
Console.WriteLine($"Test digits: ROC AUC {metrics.AreaUnderRocCurve:F4}, detection rate at 20 false positives {metrics.DetectionRateAtFalsePositiveCount:P1}");

var path = Path.Combine(Path.GetTempPath(), "anomalyae-pipeline-sample.aeml");
ml.Autoencoders().Save(model, train.Schema, path);
var loaded = ml.Autoencoders().Load(path, out _);
Console.WriteLine($"Saved and reloaded {path} ({new FileInfo(path).Length / 1024} KiB).");

using var engine = ml.Model.CreatePredictionEngine<Digit, Prediction>(loaded);
foreach (var digit in digits[8000..8005])
{
    var p = engine.Predict(new Digit { Features = digit.Features });
    Console.WriteLine($"digit {digit.Class}: score {p.Score:F4} → {(p.PredictedLabel ? "anomaly" : "normal")}");
}

sealed class Digit
{
    [VectorType(784)] public float[] Features { get; set; } = [];
    public float Label { get; set; }
}

sealed class Prediction
{
    public float Score { get; set; }
    public bool PredictedLabel { get; set; }
}
