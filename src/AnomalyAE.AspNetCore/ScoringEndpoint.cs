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
    /// <summary>The optional last segment of the endpoint's route: none for rows, <see cref="WindowsRoute"/> for whole windows.</summary>
    public const string RouteParameter = "anomalyScoringRoute";

    public const string WindowsRoute = "windows";

    public static async Task<IResult> HandleAsync(HttpContext context)
    {
        var options = context.RequestServices.GetRequiredService<IOptions<AnomalyScorerOptions>>().Value;
        var scorer = context.RequestServices.GetRequiredService<AnomalyScorer>();
        var bodyReader = context.Request.BodyReader;
        try
        {
            bool windows = context.Request.RouteValues[RouteParameter] switch
            {
                null => false,
                string part when part.Equals(WindowsRoute, StringComparison.OrdinalIgnoreCase) => true,
                _ => throw RequestProblem.NoRoute(context.Request.Path),
            };
            var body = await ReadBodyAsync(context, options.MaxRequestBodyBytes);
            using var lease = scorer.Acquire();
            try
            {
                var route = windows ? lease.Model.Windows : lease.Model.Rows;
                return route.Answer(JsonRows.Read(body, route.Inputs, options.MaxRowsPerRequest, out bool isArray), isArray);
            }
            catch (JsonException e)
            {
                throw RequestProblem.Body($"The body is not valid JSON ({e.Message}). Send one row as a JSON object or several as an array of objects.");
            }
            finally
            {
                bodyReader.AdvanceTo(body.End);
            }
        }
        catch (RequestProblem problem)
        {
            return problem.ToResult();
        }
    }

    /// <summary>
    /// Waits for the whole body in the server's buffers, refusing more than <paramref name="limit"/> bytes; the caller
    /// advances the reader past it when done.
    /// </summary>
    private static async Task<ReadOnlySequence<byte>> ReadBodyAsync(HttpContext context, long limit)
    {
        var request = context.Request;
        if (request.ContentLength > limit)
            throw RequestProblem.TooLarge(nameof(AnomalyScorerOptions.MaxRequestBodyBytes), limit, $"{request.ContentLength} bytes");
        // The server stops a chunked body at the limit too, before it reaches us.
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size && (size.MaxRequestBodySize is null || size.MaxRequestBodySize > limit))
            size.MaxRequestBodySize = limit;
        var reader = request.BodyReader;
        while (true)
        {
            var result = await reader.ReadAsync(context.RequestAborted);
            if (result.Buffer.Length > limit)
            {
                reader.AdvanceTo(result.Buffer.End);
                throw RequestProblem.TooLarge(nameof(AnomalyScorerOptions.MaxRequestBodyBytes), limit, $"more than {limit} bytes");
            }
            if (result.IsCompleted) return result.Buffer;
            // Nothing consumed, everything examined: the next read returns when more has arrived.
            reader.AdvanceTo(result.Buffer.Start, result.Buffer.End);
        }
    }
}
