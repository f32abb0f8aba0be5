using Microsoft.ML;
using Microsoft.ML.Data;

namespace AnomalyAE.Tests;

/// <summary>A row of the synthetic data sets: features and a Single label (1 = planted anomaly).</summary>
public sealed class FeatureRow
{
    public float[] Features { get; set; } = [];
    public float Label { get; set; }
}

/// <summary>Small, seeded data sets with known structure, so that expectations on the models are meaningful.</summary>
public static class SyntheticData
{
    /// <summary>
    /// Rows on a smooth 2-D manifold embedded in <paramref name="dimensions"/> dimensions (x = tanh(A·z + b) + small noise),
    /// with <paramref name="anomalyFraction"/> of them replaced by uniform points off the manifold (Label = 1).
    /// </summary>
    public static FeatureRow[] Manifold(int rows, int dimensions = 20, double anomalyFraction = 0.02, int seed = 1, double noise = 0.02)
    {
        var random = new Random(seed);
        var mixing = new double[dimensions, 2];
        var offset = new double[dimensions];
        var structure = new Random(12345);
        for (int i = 0; i < dimensions; i++)
        {
            mixing[i, 0] = structure.NextDouble() * 2 - 1;
            mixing[i, 1] = structure.NextDouble() * 2 - 1;
            offset[i] = (structure.NextDouble() - 0.5) * 0.5;
        }
        var result = new FeatureRow[rows];
        int anomalies = (int)Math.Round(rows * anomalyFraction);
        for (int r = 0; r < rows; r++)
        {
            var x = new float[dimensions];
            bool anomaly = r % (rows / Math.Max(anomalies, 1)) == 0 && anomalies > 0 && r / (rows / anomalies) < anomalies;
            double z0 = random.NextDouble() * 2 - 1, z1 = random.NextDouble() * 2 - 1;
            for (int i = 0; i < dimensions; i++)
                x[i] = anomaly
                    ? (float)(random.NextDouble() * 2 - 1)
                    : (float)(Math.Tanh(1.5 * (mixing[i, 0] * z0 + mixing[i, 1] * z1) + offset[i]) + noise * Gaussian(random));
            result[r] = new FeatureRow { Features = x, Label = anomaly ? 1 : 0 };
        }
        return result;
    }

    /// <summary>
    /// <see cref="Manifold"/> rows whose anomalies are not scattered but form one small, tight cluster off the manifold (a
    /// fault that repeats): an autoencoder trained on them sees the cluster often enough to learn to reconstruct it.
    /// </summary>
    public static FeatureRow[] ClusteredAnomalies(int rows, int dimensions = 20, double anomalyFraction = 0.05, int seed = 1, double spread = 0.1)
    {
        var result = Manifold(rows, dimensions, anomalyFraction, seed);
        var random = new Random(seed + 1000);
        var center = Enumerable.Range(0, dimensions).Select(_ => random.NextDouble() * 2 - 1).ToArray();
        foreach (var row in result.Where(r => r.Label == 1))
            for (int i = 0; i < dimensions; i++) row.Features[i] = (float)(center[i] + spread * Gaussian(random));
        return result;
    }

    /// <summary>Loads rows as an IDataView with a known-size Features vector.</summary>
    public static IDataView Load(MLContext ml, IEnumerable<FeatureRow> rows, int dimensions)
    {
        var schema = SchemaDefinition.Create(typeof(FeatureRow));
        schema[nameof(FeatureRow.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, dimensions);
        return ml.Data.LoadFromEnumerable(rows, schema);
    }

    public static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
