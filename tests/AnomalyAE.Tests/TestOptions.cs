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

    /// <summary>Reads a vector column into arrays, copying each row (getters may reuse one buffer).</summary>
    public static float[][] Vectors(IDataView data, string name)
    {
        var column = data.Schema[name];
        var rows = new List<float[]>();
        using var cursor = data.GetRowCursor([column]);
        var getter = cursor.GetGetter<VBuffer<float>>(column);
        VBuffer<float> value = default;
        while (cursor.MoveNext())
        {
            getter(ref value);
            rows.Add(value.DenseValues().ToArray());
        }
        return [.. rows];
    }
}
