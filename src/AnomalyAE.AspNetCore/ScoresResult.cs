using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace AnomalyAE.AspNetCore;

/// <summary>
/// The 200 response: per row an object with the model's output columns under their own names (numbers, Booleans, arrays
/// of numbers; null for a NaN or an absent vector, which JSON cannot hold) and, for steps of a sequence model, their
/// <c>Status</c> and a rejected step's <c>Problem</c>; one object for a request of one object, an array for a request of an array.
/// </summary>
internal sealed class ScoresResult(RowBatch scores, bool asArray, SequenceStepResults? steps = null) : IResult
{
    /// <summary>The field of a step's <see cref="SequenceStepStatus"/>.</summary>
    public const string StatusField = "Status";

    /// <summary>The field of a rejected step's reason.</summary>
    public const string ProblemField = "Problem";

    public async Task ExecuteAsync(HttpContext context)
    {
        context.Response.ContentType = "application/json; charset=utf-8";
        await using var json = new Utf8JsonWriter(context.Response.BodyWriter);
        if (asArray) json.WriteStartArray();
        for (int row = 0; row < scores.Rows; row++) WriteRow(json, row);
        if (asArray) json.WriteEndArray();
        await json.FlushAsync(context.RequestAborted);
    }

    private void WriteRow(Utf8JsonWriter json, int row)
    {
        json.WriteStartObject();
        for (int slot = 0; slot < scores.Columns.Count; slot++)
        {
            json.WritePropertyName(scores.Columns[slot].Name);
            switch (scores.Values[slot])
            {
                case float[] numbers: WriteNumber(json, numbers[row]); break;
                case bool[] flags: json.WriteBooleanValue(flags[row]); break;
                case string[] texts: json.WriteStringValue(texts[row]); break;
                case float[][] vectors when vectors[row] is null: json.WriteNullValue(); break;
                case float[][] vectors:
                    json.WriteStartArray();
                    foreach (float value in vectors[row]) WriteNumber(json, value);
                    json.WriteEndArray();
                    break;
            }
        }
        if (steps is not null)
        {
            json.WriteString(StatusField, steps.Status(row).ToString());
            if (steps.Problem(row) is { } problem) json.WriteString(ProblemField, problem);
        }
        json.WriteEndObject();
    }

    private static void WriteNumber(Utf8JsonWriter json, float value)
    {
        if (float.IsFinite(value)) json.WriteNumberValue(value);
        else json.WriteNullValue();
    }
}
