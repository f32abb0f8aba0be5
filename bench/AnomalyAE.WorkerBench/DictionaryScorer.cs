using System.Globalization;
using AnomalyAE.DataViews;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace AnomalyAE.WorkerBench;

/// <summary>
/// The same-run reference for the records layer: the worker's scorer as it was before issue 14 — a dictionary of field
/// strings per record, each value boxed into a List&lt;object&gt; column, then copied into a ColumnarDataView — on the
/// same model and records (Single inputs only, which is what the benchmark's records hold).
/// </summary>
internal sealed class DictionaryScorer(ITransformer model, DataViewSchema inputSchema, string scoreColumn, string labelColumn)
{
    public (float[] Scores, bool[] Labels) Score(IReadOnlyList<Dictionary<string, string>> records)
    {
        var columns = inputSchema.Select(_ => new List<object>()).ToArray();
        foreach (var record in records)
        {
            var values = new object[inputSchema.Count];
            foreach (var column in inputSchema)
                values[column.Index] = column.Type is TextDataViewType
                    ? record.GetValueOrDefault(column.Name) ?? ""
                    : float.Parse(record[column.Name].Trim(), NumberStyles.Float, CultureInfo.InvariantCulture);
            for (int c = 0; c < values.Length; c++) columns[c].Add(values[c]);
        }
        var builder = new ColumnarDataView.Builder();
        foreach (var column in inputSchema)
        {
            if (column.Type is TextDataViewType) builder.AddText(column.Name, columns[column.Index].Cast<string>().ToArray());
            else builder.AddSingle(column.Name, columns[column.Index].Cast<float>().ToArray());
        }
        var scored = model.Transform(builder.Build());
        return (scored.GetColumn<float>(scoreColumn).ToArray(), scored.GetColumn<bool>(labelColumn).ToArray());
    }
}
