using AnomalyAE;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace WebScoring;

/// <summary>Trains the sample's model: every numeric column of a telemetry CSV → Concatenate → NormalizeMeanVariance → autoencoder.</summary>
internal static class TelemetryModel
{
    public static void Train(string csvPath, string modelPath, Serilog.ILogger log)
    {
        log.Information("No model at {ModelPath}: training one on {Data}", modelPath, csvPath);
        var header = File.ReadLines(csvPath).First().Split(',');
        // Every column but the row id is a sensor reading, and a request row has one number per sensor.
        string[] sensors = [.. header.Where(name => name != "id")];
        var ml = new MLContext(seed: 1);
        var loader = ml.Data.CreateTextLoader(new TextLoader.Options
        {
            HasHeader = true,
            Separators = [','],
            Columns = [new TextLoader.Column("id", DataKind.String, 0), .. sensors.Select(s => new TextLoader.Column(s, DataKind.Single, Array.IndexOf(header, s)))],
        });
        var data = loader.Load(csvPath);
        var pipeline = ml.Transforms.Concatenate("Features", sensors)
            .Append(ml.Transforms.NormalizeMeanVariance("Features"))
            .Append(ml.Autoencoders().Autoencoder(new AutoencoderOptions
            {
                HiddenLayers = [32],
                LatentDimension = 2,
                Epochs = 60,
                EnsembleSize = 1,
                Contamination = 0.01,
                // Which sensors make a row anomalous, per row (an array in the order of the sensors above).
                FeatureContributionsColumnName = AutoencoderOptions.Defaults.FeatureContributionsColumnName,
            }));
        using var model = pipeline.Fit(data);
        Directory.CreateDirectory(Path.GetDirectoryName(modelPath)!);
        // Written beside and renamed into place, so that a running scorer never reads half a file.
        string temporary = modelPath + ".tmp";
        ml.Autoencoders().Save(model, data.Schema, temporary);
        File.Move(temporary, modelPath, overwrite: true);
        log.Information("Saved the model to {ModelPath} (threshold {Threshold:G4}); sensors: {Sensors}", modelPath, model.LastTransformer.Threshold, string.Join(", ", sensors));
    }
}
