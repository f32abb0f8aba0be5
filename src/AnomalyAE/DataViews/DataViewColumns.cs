using Microsoft.ML;
using Microsoft.ML.Data;

namespace AnomalyAE.DataViews;

/// <summary>Reading whole vector columns (latent features, reconstructions) into arrays.</summary>
public static class DataViewColumns
{
    /// <summary>
    /// Every row of a <c>Vector&lt;Single&gt;</c> column as its own array. Unlike iterating <c>GetColumn&lt;VBuffer&lt;float&gt;&gt;</c>,
    /// each row is copied, so rows never share a buffer that the cursor reuses.
    /// </summary>
    public static float[][] ReadVectors(this IDataView data, string columnName)
    {
        ArgumentNullException.ThrowIfNull(data);
        var column = data.Schema.GetColumnOrNull(columnName)
            ?? throw new ArgumentOutOfRangeException(nameof(columnName), $"Column '{columnName}' is not in the data; it has {string.Join(", ", data.Schema.Select(c => c.Name))}.");
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
