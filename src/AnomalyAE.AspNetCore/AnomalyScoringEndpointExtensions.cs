using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace AnomalyAE.AspNetCore;

/// <summary>Maps the scoring endpoint of the scorer registered by <see cref="AnomalyScorerServiceCollectionExtensions.AddAnomalyScorer"/>.</summary>
public static class AnomalyScoringEndpointExtensions
{
    /// <summary>
    /// Maps <c>POST <paramref name="pattern"/></c>: the body is one row as a JSON object, or an array of rows, with a field per
    /// input column the model reads (a number for Single, an array of numbers for Vector&lt;Single, n&gt;, a string for Text).
    /// The answer has per row the anomaly detector's output columns under the model's own names: the score, the predicted
    /// label, and the latent features, reconstruction or feature contributions when the model emits them. A bad row gets
    /// 400 with a ProblemDetails body naming the row, the field, the expected and the actual value; a request over
    /// <see cref="AnomalyScorerOptions.MaxRowsPerRequest"/> or <see cref="AnomalyScorerOptions.MaxRequestBodyBytes"/> gets 413.
    /// </summary>
    /// <remarks>
    /// <para>For a sequence model (<see cref="SequenceAutoencoderTransformer"/>) each row is one time step of the series its
    /// series field names, scored in the request's order against the window of that series this instance keeps
    /// (<see cref="OnlineSequenceScorer"/>); each answer row adds <c>Status</c> (<c>Scored</c>, <c>WarmingUp</c>,
    /// <c>Repeated</c> or <c>Rejected</c>, see <see cref="SequenceStepStatus"/>) and, for a rejected step, <c>Problem</c>.
    /// The request gets 200 even when some of its steps are rejected (the others were scored and moved their windows); a
    /// NaN score (a step warming up) and the vectors of a step without a window are written as null.</para>
    /// <para>The same endpoint answers <c>POST <paramref name="pattern"/>/windows</c> for a sequence model: each row is one whole
    /// window in a field <c>Window</c> (<c>WindowSize</c> steps × a step's values, oldest first), scored by the model's
    /// <see cref="SequenceAutoencoderTransformer.WindowModel"/> without touching any series' window; for a model without
    /// windows it answers 409.</para>
    /// </remarks>
    /// <returns>The endpoint's builder (both routes are one endpoint), e.g. to add <c>RequireAuthorization()</c> or rate limiting.</returns>
    /// <example><code>
    /// builder.Services.AddAnomalyScorer(options => options.ModelPath = "model.aeml");
    /// var app = builder.Build();
    /// app.MapAnomalyScoring("/score");
    /// </code></example>
    public static RouteHandlerBuilder MapAnomalyScoring(this IEndpointRouteBuilder endpoints, string pattern = "/score")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentException.ThrowIfNullOrWhiteSpace(pattern);
        // One endpoint for both routes, so that what the caller adds to the builder (authorization, rate limits) covers both.
        return endpoints.MapPost($"{pattern.TrimEnd('/')}/{{{ScoringEndpoint.RouteParameter}?}}", (Delegate)ScoringEndpoint.HandleAsync)
            .WithName("AnomalyScoring")
            .Accepts<object>("application/json")
            .Produces(StatusCodes.Status200OK, contentType: "application/json")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge);
    }
}
