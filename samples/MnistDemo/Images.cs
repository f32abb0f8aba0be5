using AnomalyAE.Datasets;
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

    public static float[][] Reconstruct(MLContext ml, ITransformer model, IEnumerable<ImageRow> rows)
    {
        var data = model.Transform(Load(ml, rows));
        var column = data.Schema["Reconstruction"];
        var result = new List<float[]>();
        using var cursor = data.GetRowCursor([column]);
        var getter = cursor.GetGetter<VBuffer<float>>(column);
        VBuffer<float> value = default;
        while (cursor.MoveNext())
        {
            getter(ref value);
            result.Add(value.DenseValues().ToArray());
        }
        return [.. result];
    }
}
