using System.Buffers;
using System.Text;
using System.Text.Json;

namespace AnomalyAE.AspNetCore;

/// <summary>
/// Reads a request body into a <see cref="RowBatch"/> of the model's input fields in one pass: one JSON object (one row)
/// or an array of objects. Each field the model reads must be present once, with its type and size, and hold finite
/// numbers; fields the model does not read are skipped (e.g. an id). Numbers go straight into the batch's arrays.
/// </summary>
internal ref struct JsonRows
{
    private static readonly JsonReaderOptions Options = new() { MaxDepth = 8 };
    private readonly IReadOnlyList<ServedColumn> _inputs;
    private readonly Dictionary<string, int> _slots;
    private readonly List<object>[] _values;
    private Utf8JsonReader _reader;

    private JsonRows(ReadOnlySequence<byte> body, IReadOnlyList<ServedColumn> inputs)
    {
        _inputs = inputs;
        _slots = inputs.Select((c, slot) => (c.Name, slot)).ToDictionary(p => p.Name, p => p.slot, StringComparer.Ordinal);
        _values = [.. inputs.Select(_ => new List<object>())];
        _reader = new Utf8JsonReader(body, Options);
    }

    /// <summary>Reads <paramref name="body"/>; true in <paramref name="isArray"/> when it is an array of rows.</summary>
    /// <exception cref="RequestProblem">The body is not rows of the model's fields, or has more than <paramref name="maxRows"/> rows.</exception>
    /// <exception cref="JsonException">The body is not valid JSON (or nests deeper than 8).</exception>
    public static RowBatch Read(ReadOnlySequence<byte> body, IReadOnlyList<ServedColumn> inputs, int maxRows, out bool isArray)
    {
        var rows = new JsonRows(body, inputs);
        return rows.ReadBody(maxRows, out isArray);
    }

    private RowBatch ReadBody(int maxRows, out bool isArray)
    {
        if (!_reader.Read()) throw RequestProblem.Body($"The body is empty; send one row as a JSON object or several as an array of objects, with the fields {FieldList(_inputs)}.");
        isArray = _reader.TokenType == JsonTokenType.StartArray;
        int rows = 0;
        if (isArray)
        {
            while (Next() != JsonTokenType.EndArray)
            {
                if (rows == maxRows) throw RequestProblem.TooLarge(nameof(AnomalyScorerOptions.MaxRowsPerRequest), maxRows, $"more than {maxRows} rows");
                if (_reader.TokenType != JsonTokenType.StartObject)
                    throw RequestProblem.Body($"Row {rows} is {Describe()}; each row must be a JSON object with the fields {FieldList(_inputs)}.");
                ReadRow(rows++);
            }
            if (rows == 0) throw RequestProblem.Body($"The body is an empty array; send at least one row (an object with the fields {FieldList(_inputs)}).");
        }
        else if (_reader.TokenType == JsonTokenType.StartObject) ReadRow(rows++);
        else throw RequestProblem.Body($"The body is {Describe()}; send one row as a JSON object or several as an array of objects, with the fields {FieldList(_inputs)}.");
        // Anything after the rows is invalid JSON, which Read reports.
        _reader.Read();
        var values = new Array[_inputs.Count];
        for (int slot = 0; slot < values.Length; slot++) values[slot] = ToArray(_inputs[slot].Kind, _values[slot]);
        return new RowBatch(_inputs, rows, values);
    }

    private void ReadRow(int row)
    {
        var seen = new bool[_inputs.Count];
        while (Next() != JsonTokenType.EndObject)
        {
            string name = _reader.GetString()!;
            Next();
            if (!_slots.TryGetValue(name, out int slot))
            {
                _reader.Skip();
                continue;
            }
            var column = _inputs[slot];
            if (seen[slot]) throw RequestProblem.Field(row, column, "the field twice", "Send each field once per row.");
            seen[slot] = true;
            _values[slot].Add(column.Kind switch
            {
                ServedValueKind.Number => Number(row, column, ""),
                ServedValueKind.Numbers => Numbers(row, column),
                _ => _reader.TokenType == JsonTokenType.String ? _reader.GetString()! : throw RequestProblem.Field(row, column, Describe(), "Send the value as a JSON string."),
            });
        }
        if (Array.IndexOf(seen, false) is int missing and >= 0)
            throw RequestProblem.Field(row, _inputs[missing], "no such field", $"Add it: the model reads the fields {FieldList(_inputs)} (names are case-sensitive).");
    }

    private float[] Numbers(int row, ServedColumn column)
    {
        if (_reader.TokenType != JsonTokenType.StartArray)
            throw RequestProblem.Field(row, column, Describe(), $"Send the {column.Size} values as a JSON array in the model's slot order.");
        var numbers = new float[column.Size];
        int count = 0;
        while (Next() != JsonTokenType.EndArray)
        {
            float value = Number(row, column, $" at item {count}");
            if (count < numbers.Length) numbers[count] = value;
            count++;
        }
        if (count != column.Size)
            throw RequestProblem.Field(row, column, $"an array of {count} values", $"Send exactly {column.Size} values, one per feature the model was trained on.");
        return numbers;
    }

    private float Number(int row, ServedColumn column, string where)
    {
        if (_reader.TokenType != JsonTokenType.Number)
            throw RequestProblem.Field(row, column, Describe() + where, "Send finite JSON numbers (NaN and infinities cannot be scored).");
        // A number beyond Single's range would become an infinity, which the model cannot score.
        if (!_reader.TryGetSingle(out float number) || !float.IsFinite(number))
            throw RequestProblem.Field(row, column, $"{Shorten(RawValue())}{where}, which is not a finite Single", "Send finite numbers within ±3.4e38.");
        return number;
    }

    /// <summary>The current number as written (its bytes may span buffer segments).</summary>
    private readonly string RawValue() => _reader.HasValueSequence ? Encoding.UTF8.GetString(_reader.ValueSequence) : Encoding.UTF8.GetString(_reader.ValueSpan);

    private JsonTokenType Next() =>
        _reader.Read() ? _reader.TokenType : throw new JsonException("The body ends before its last value is complete.");

    /// <summary>The current value in words, e.g. "the string \"abc\"", for messages.</summary>
    private readonly string Describe() => _reader.TokenType switch
    {
        JsonTokenType.StartObject => "an object",
        JsonTokenType.StartArray => "an array",
        JsonTokenType.String => $"the string \"{Shorten(_reader.GetString()!)}\"",
        JsonTokenType.Number => $"the number {Shorten(RawValue())}",
        JsonTokenType.True or JsonTokenType.False => $"the Boolean {(_reader.TokenType == JsonTokenType.True ? "true" : "false")}",
        _ => "null",
    };

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "…";

    private static string FieldList(IEnumerable<ServedColumn> inputs) => string.Join(", ", inputs.Select(c => c.Kind switch
    {
        ServedValueKind.Number => $"'{c.Name}' (number)",
        ServedValueKind.Numbers => $"'{c.Name}' (array of {c.Size} numbers)",
        _ => $"'{c.Name}' (string)",
    }));

    private static Array ToArray(ServedValueKind kind, List<object> values) => kind switch
    {
        ServedValueKind.Number => values.Cast<float>().ToArray(),
        ServedValueKind.Numbers => values.Cast<float[]>().ToArray(),
        _ => values.Cast<string>().ToArray(),
    };
}
