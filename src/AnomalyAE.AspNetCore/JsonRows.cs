using System.Text.Json;

namespace AnomalyAE.AspNetCore;

/// <summary>
/// Reads a request body into a <see cref="RowBatch"/> of the model's input fields: one JSON object (one row) or an array
/// of objects. Each field the model reads must be present with its type and size and hold finite numbers; fields the model
/// does not read are ignored (e.g. an id).
/// </summary>
internal static class JsonRows
{
    /// <exception cref="RequestProblem">The body is not rows of the model's fields, or has more than <paramref name="maxRows"/> rows.</exception>
    public static RowBatch Read(JsonElement body, IReadOnlyList<ServedColumn> inputs, int maxRows)
    {
        if (body.ValueKind is not (JsonValueKind.Object or JsonValueKind.Array))
            throw RequestProblem.Body($"The body is {Describe(body)}; send one row as a JSON object or several as an array of objects, with the fields {FieldList(inputs)}.");
        int rows = body.ValueKind == JsonValueKind.Object ? 1 : body.GetArrayLength();
        if (rows == 0) throw RequestProblem.Body($"The body is an empty array; send at least one row (an object with the fields {FieldList(inputs)}).");
        if (rows > maxRows) throw RequestProblem.TooLarge(nameof(AnomalyScorerOptions.MaxRowsPerRequest), maxRows, $"{rows} rows");

        var batch = new RowBatch(inputs, rows);
        int index = 0;
        foreach (var row in body.ValueKind == JsonValueKind.Object ? [body] : (IEnumerable<JsonElement>)body.EnumerateArray())
        {
            if (row.ValueKind != JsonValueKind.Object)
                throw RequestProblem.Body($"Row {index} is {Describe(row)}; each row must be a JSON object with the fields {FieldList(inputs)}.");
            for (int slot = 0; slot < inputs.Count; slot++) ReadField(row, index, inputs[slot], batch.Values[slot]);
            index++;
        }
        return batch;
    }

    private static void ReadField(JsonElement row, int index, ServedColumn column, Array values)
    {
        if (!row.TryGetProperty(column.Name, out var field))
            throw RequestProblem.Field(index, column, "no such field", $"Add it: the model reads the fields {FieldList([column])} (names are case-sensitive).");
        switch (column.Kind)
        {
            case ValueKind.Number:
                ((float[])values)[index] = Number(field, index, column, "");
                break;
            case ValueKind.Numbers:
                if (field.ValueKind != JsonValueKind.Array)
                    throw RequestProblem.Field(index, column, Describe(field), $"Send the {column.Size} values as a JSON array in the model's slot order.");
                int length = field.GetArrayLength();
                if (length != column.Size)
                    throw RequestProblem.Field(index, column, $"an array of {length} values", $"Send exactly {column.Size} values, one per feature the model was trained on.");
                var numbers = new float[length];
                int i = 0;
                foreach (var item in field.EnumerateArray()) numbers[i] = Number(item, index, column, $" at item {i++}");
                ((float[][])values)[index] = numbers;
                break;
            default:
                if (field.ValueKind != JsonValueKind.String)
                    throw RequestProblem.Field(index, column, Describe(field), "Send the value as a JSON string.");
                ((string[])values)[index] = field.GetString()!;
                break;
        }
    }

    private static float Number(JsonElement value, int index, ServedColumn column, string where)
    {
        if (value.ValueKind != JsonValueKind.Number)
            throw RequestProblem.Field(index, column, Describe(value) + where, "Send finite JSON numbers (NaN and infinities cannot be scored).");
        // A number beyond Single's range would become an infinity, which the model cannot score.
        if (!value.TryGetSingle(out float number) || !float.IsFinite(number))
            throw RequestProblem.Field(index, column, $"{value.GetRawText()}{where}, which is not a finite Single", "Send finite numbers within ±3.4e38.");
        return number;
    }

    private static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => $"an array of {value.GetArrayLength()} values",
        JsonValueKind.String => $"the string \"{Shorten(value.GetString()!)}\"",
        JsonValueKind.Number => $"the number {Shorten(value.GetRawText())}",
        JsonValueKind.True or JsonValueKind.False => $"the Boolean {value.GetRawText()}",
        _ => "null",
    };

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "…";

    private static string FieldList(IEnumerable<ServedColumn> inputs) => string.Join(", ", inputs.Select(c => $"'{c.Name}' ({c.Describe()})"));
}
