using System.Buffers;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace AnomalyAE.AspNetCore;

/// <summary>The request handler behind <see cref="AnomalyScoringEndpointExtensions.MapAnomalyScoring"/>.</summary>
internal static class ScoringEndpoint
{
    public static async Task<IResult> HandleAsync(HttpContext context)
    {
        var options = context.RequestServices.GetRequiredService<IOptions<AnomalyScorerOptions>>().Value;
        var scorer = context.RequestServices.GetRequiredService<AnomalyScorer>();
        try
        {
            var body = await ReadBodyAsync(context, options.MaxRequestBodyBytes);
            var model = scorer.Acquire();
            RowBatch scores;
            bool isArray;
            try
            {
                scores = model.Score(JsonRows.Read(body.WrittenSpan, model.Columns.Inputs, options.MaxRowsPerRequest, out isArray));
            }
            catch (JsonException e)
            {
                throw RequestProblem.Body($"The body is not valid JSON ({e.Message}). Send one row as a JSON object or several as an array of objects.");
            }
            finally
            {
                model.Release();
            }
            return new ScoresResult(scores, isArray);
        }
        catch (RequestProblem problem)
        {
            return problem.ToResult();
        }
    }

    /// <summary>Reads the whole body, refusing more than <paramref name="limit"/> bytes before buffering them.</summary>
    private static async Task<ArrayBufferWriter<byte>> ReadBodyAsync(HttpContext context, long limit)
    {
        var request = context.Request;
        if (request.ContentLength > limit)
            throw RequestProblem.TooLarge(nameof(AnomalyScorerOptions.MaxRequestBodyBytes), limit, $"{request.ContentLength} bytes");
        // The server stops a chunked body at the limit too, before it reaches us.
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size && (size.MaxRequestBodySize is null || size.MaxRequestBodySize > limit))
            size.MaxRequestBodySize = limit;
        var buffer = new ArrayBufferWriter<byte>((int)Math.Min(limit, request.ContentLength ?? 16 * 1024) + 1);
        while (true)
        {
            int read = await request.Body.ReadAsync(buffer.GetMemory(16 * 1024), context.RequestAborted);
            if (read == 0) return buffer;
            buffer.Advance(read);
            if (buffer.WrittenCount > limit)
                throw RequestProblem.TooLarge(nameof(AnomalyScorerOptions.MaxRequestBodyBytes), limit, $"more than {limit} bytes");
        }
    }
}
