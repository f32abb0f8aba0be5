using Microsoft.ML;
using Microsoft.ML.Data;

namespace AnomalyAE.Tests;

/// <summary>Small and fast settings shared by the tests; each test states what it changes.</summary>
public static class TestOptions
{
    public static AutoencoderOptions Small(int epochs = 30, int seed = 7) => new()
    {
        HiddenLayers = [32],
        LatentDimension = 2,
        Epochs = epochs,
        BatchSize = 64,
        LearningRate = 3e-3,
        Seed = seed,
        NumberOfThreads = 1,
        Contamination = 0.02,
    };

    /// <summary>Reads one column of a data view into an array.</summary>
    public static T[] Column<T>(Microsoft.ML.IDataView data, string name) =>
        data.GetColumn<T>(name).ToArray();

    /// <summary>Reads a vector column into arrays, one copy per row.</summary>
    public static float[][] Vectors(IDataView data, string name) => AnomalyAE.DataViews.DataViewColumns.ReadVectors(data, name);
}
