using Microsoft.ML;
using Microsoft.ML.Data;

namespace AnomalyAE.Tests;

/// <summary>Small and fast settings shared by the tests; each test states what it changes.</summary>
public static class TestOptions
{
    /// <summary>One small network scored by its mean squared reconstruction error: the behaviour most tests are about.</summary>
    public static AutoencoderOptions Small(int epochs = 30, int seed = 7) =>
        Small(new AutoencoderOptions { EnsembleSize = 1, ScoreKind = AutoencoderScoreKind.ReconstructionError, ErrorMetric = ReconstructionErrorMetric.MeanSquaredError }, epochs, seed);

    /// <summary>The small settings applied to any options object (autoencoder or VAE).</summary>
    public static T Small<T>(T options, int epochs, int seed) where T : AutoencoderOptionsBase
    {
        options.HiddenLayers = [32];
        options.LatentDimension = 2;
        options.Epochs = epochs;
        options.BatchSize = 64;
        options.LearningRate = 3e-3;
        options.Seed = seed;
        options.NumberOfThreads = 1;
        options.Contamination = 0.02;
        return options;
    }

    /// <summary>Reads one column of a data view into an array.</summary>
    public static T[] Column<T>(Microsoft.ML.IDataView data, string name) =>
        data.GetColumn<T>(name).ToArray();

    /// <summary>Reads a vector column into arrays, one copy per row.</summary>
    public static float[][] Vectors(IDataView data, string name) => AnomalyAE.DataViews.DataViewColumns.ReadVectors(data, name);
}
