using AnomalyAE.Datasets;
using AnomalyAE.DataViews;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace AnomalyAE.Samples;

/// <summary>MNIST rows in and out of ML.NET.</summary>
internal static class Images
{
    public static SchemaDefinition Schema<T>()
    {
        var schema = SchemaDefinition.Create(typeof(T));
        schema["Features"].ColumnType = new VectorDataViewType(NumberDataViewType.Single, 784);
        return schema;
    }

    public static IDataView Load(MLContext ml, IEnumerable<ImageRow> rows) => ml.Data.LoadFromEnumerable(rows, Schema<ImageRow>());

    public static float[][] Reconstruct(MLContext ml, ITransformer model, IEnumerable<ImageRow> rows) =>
        model.Transform(Load(ml, rows)).ReadVectors("Reconstruction");
}
