using AnomalyAE.DataViews;
using Microsoft.ML.Data;

namespace AnomalyAE.AspNetCore;

/// <summary>
/// The values of some rows, column by column: <c>float[]</c> for numbers, <c>float[][]</c> for arrays of numbers,
/// <c>string[]</c> for text, <c>bool[]</c> for Booleans. Requests are read into one, scores are written out of one.
/// </summary>
internal sealed class RowBatch
{
    /// <summary>A batch of <paramref name="rows"/> default values per column, to fill.</summary>
    public RowBatch(IReadOnlyList<ServedColumn> columns, int rows)
        : this(columns, rows, [.. columns.Select(c => Allocate(c.Kind, rows))])
    {
    }

    /// <summary>A batch over <paramref name="values"/>, one array of <paramref name="rows"/> values per column.</summary>
    public RowBatch(IReadOnlyList<ServedColumn> columns, int rows, Array[] values)
    {
        Columns = columns;
        Rows = rows;
        Values = values;
    }

    public IReadOnlyList<ServedColumn> Columns { get; }

    public int Rows { get; }

    /// <summary>One array per column of <see cref="Columns"/>, <see cref="Rows"/> long.</summary>
    public Array[] Values { get; }

    /// <summary>
    /// The rows as data of <paramref name="contract"/>'s <see cref="ScoringContract.RecordSchema"/>, to <c>Transform</c>: the
    /// columns of this batch filled in, the contract's other record columns left at default values (as a <see cref="RowEngine"/> reads them).
    /// </summary>
    public ColumnarDataView ToDataView(ScoringContract contract)
    {
        var data = contract.CreateRecordBuffers(Rows);
        foreach (var text in data.Schema.Where(c => c.Type is TextDataViewType)) Array.Fill(data.Texts(text.Index), "");
        for (int slot = 0; slot < Columns.Count; slot++)
        {
            int column = data.Schema[Columns[slot].Name].Index;
            switch (Values[slot])
            {
                case float[][] vectors:
                    var numbers = data.Numbers(column);
                    for (int row = 0; row < vectors.Length; row++) vectors[row].CopyTo(numbers, (long)row * vectors[row].Length);
                    break;
                case float[] values:
                    values.CopyTo(data.Numbers(column), 0);
                    break;
                case string[] texts:
                    texts.CopyTo(data.Texts(column), 0);
                    break;
            }
        }
        data.Rows = Rows;
        return data;
    }

    private static Array Allocate(ServedValueKind kind, int rows) => kind switch
    {
        ServedValueKind.Number => new float[rows],
        ServedValueKind.Numbers => new float[rows][],
        ServedValueKind.Text => new string[rows],
        _ => new bool[rows],
    };
}
