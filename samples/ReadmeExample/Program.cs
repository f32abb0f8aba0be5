using AnomalyAE;
using Microsoft.ML;
using Microsoft.ML.Data;

var ml = new MLContext(seed: 1);
var random = new Random(1);
Row MakeRow(bool anomaly) { double t = random.NextDouble() * 6; return new Row { Label = anomaly ? 1 : 0,
    Features = Enumerable.Range(0, 10).Select(i => (float)(anomaly ? random.NextDouble() * 2 - 1 : Math.Sin(t + i))).ToArray() }; }
var train = ml.Data.LoadFromEnumerable(Enumerable.Range(0, 2000).Select(_ => MakeRow(false)));
var test = ml.Data.LoadFromEnumerable(Enumerable.Range(0, 500).Select(i => MakeRow(i % 25 == 0)));

var pipeline = ml.Transforms.NormalizeMinMax("Features")
    .Append(ml.Autoencoders().Autoencoder(new AutoencoderOptions { LatentDimension = 2, Epochs = 30 }));
using var model = pipeline.Fit(train);                            // TransformerChain<AutoencoderTransformer>
var scored = model.Transform(test);                               // + Score, PredictedLabel, LatentFeatures, Reconstruction
var metrics = ml.AnomalyDetection.Evaluate(scored);               // ML.NET's own evaluator (Label: Single, 1 = anomaly)
Console.WriteLine($"AUC {metrics.AreaUnderRocCurve:F3}, threshold {model.LastTransformer.Threshold:G4}");

ml.Autoencoders().Save(model, train.Schema, "model.aeml");        // one file: ML.NET stages + weights
using var loaded = (IDisposable)ml.Autoencoders().Load("model.aeml", out var schema);

class Row { [VectorType(10)] public float[] Features { get; set; } = []; public float Label { get; set; } }
