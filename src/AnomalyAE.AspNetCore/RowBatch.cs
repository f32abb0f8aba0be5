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

    private static Array Allocate(ServedValueKind kind, int rows) => kind switch
    {
        ServedValueKind.Number => new float[rows],
        ServedValueKind.Numbers => new float[rows][],
        ServedValueKind.Text => new string[rows],
        _ => new bool[rows],
    };
}
