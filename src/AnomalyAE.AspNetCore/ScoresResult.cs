using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace AnomalyAE.AspNetCore;

/// <summary>
/// The 200 response: per row an object with the model's output columns under their own names (numbers, Booleans, arrays
/// of numbers); one object for a request of one object, an array for a request of an array.
/// </summary>
internal sealed class ScoresResult(RowBatch scores, bool asArray) : IResult
{
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
                case float[] numbers: json.WriteNumberValue(numbers[row]); break;
                case bool[] flags: json.WriteBooleanValue(flags[row]); break;
                case string[] texts: json.WriteStringValue(texts[row]); break;
                case float[][] vectors:
                    json.WriteStartArray();
                    foreach (float value in vectors[row]) json.WriteNumberValue(value);
                    json.WriteEndArray();
                    break;
            }
        }
        json.WriteEndObject();
    }
}
