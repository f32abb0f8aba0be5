using Microsoft.ML;
using Microsoft.ML.Data;

namespace AnomalyAE;

/// <summary>How a record carries a column's value: a number (Single), numbers (Vector&lt;Single, n&gt;), text, or a flag (Boolean).</summary>
public enum ServedValueKind
{
    /// <summary>One number: a Single column.</summary>
    Number,
    /// <summary>A fixed number of numbers: a Vector&lt;Single, n&gt; column.</summary>
    Numbers,
    /// <summary>A string: a Text column.</summary>
    Text,
    /// <summary>True or false: a Boolean column (outputs only).</summary>
    Boolean,
}

/// <summary>A column a served model reads or writes: its name, how a record carries it, its width, its slot names and the schema column.</summary>
/// <param name="Name">The column's name.</param>
/// <param name="Kind">How a record carries the value.</param>
/// <param name="Size">Values per row (1 unless <see cref="ServedValueKind.Numbers"/>).</param>
/// <param name="SlotNames">The names of a vector's values when the column has them (e.g. a reconstruction's or the contributions' feature names).</param>
/// <param name="Column">The column in the schema it comes from.</param>
public sealed record ServedColumn(string Name, ServedValueKind Kind, int Size, IReadOnlyList<string>? SlotNames, DataViewSchema.Column Column)
{
    /// <summary>What a client must send or can expect, e.g. "an array of 8 numbers (Vector&lt;Single, 8&gt;)".</summary>
    public string Describe() => Kind switch
    {
        ServedValueKind.Number => "a number (Single)",
        ServedValueKind.Numbers => $"an array of {Size} numbers (Vector<Single, {Size}>)",
        ServedValueKind.Text => "a string (Text)",
        _ => "true or false (Boolean)",
    };

    /// <summary>The served form of <paramref name="column"/>, or null when a record cannot carry its type.</summary>
    public static ServedColumn? Of(DataViewSchema.Column column) => column.Type switch
    {
        NumberDataViewType t when t == NumberDataViewType.Single => new(column.Name, ServedValueKind.Number, 1, null, column),
        VectorDataViewType { ItemType: var item, IsKnownSize: true, Size: var size } when item == NumberDataViewType.Single =>
            new(column.Name, ServedValueKind.Numbers, size, ReadSlotNames(column, size), column),
        TextDataViewType => new(column.Name, ServedValueKind.Text, 1, null, column),
        BooleanDataViewType => new(column.Name, ServedValueKind.Boolean, 1, null, column),
        _ => null,
    };

    private static string[]? ReadSlotNames(DataViewSchema.Column column, int size)
    {
        if (!column.HasSlotNames()) return null;
        VBuffer<ReadOnlyMemory<char>> names = default;
        column.GetSlotNames(ref names);
        var dense = names.DenseValues().Select(n => n.ToString()).ToArray();
        return dense.Length == size ? dense : null;
    }
}
