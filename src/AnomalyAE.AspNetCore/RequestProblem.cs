using Microsoft.AspNetCore.Http;

namespace AnomalyAE.AspNetCore;

/// <summary>A request the endpoint refuses, answered with a ProblemDetails body (RFC 9457) whose extensions name what was wrong.</summary>
internal sealed class RequestProblem(int status, string title, string detail, IDictionary<string, object?>? extensions = null) : Exception(detail)
{
    public IResult ToResult() => Results.Problem(detail: Message, statusCode: status, title: title, extensions: extensions);

    /// <summary>400 for one field of one row, e.g. an array of 7 numbers where the model reads 8.</summary>
    public static RequestProblem Field(int row, ServedColumn column, string actual, string fix) => new(StatusCodes.Status400BadRequest, "Invalid input field",
        $"Row {row}, field '{column.Name}': expected {column.Describe()}, got {actual}. {fix}",
        new Dictionary<string, object?> { ["row"] = row, ["field"] = column.Name, ["expected"] = column.Describe(), ["actual"] = actual });

    /// <summary>400 for a body that is not rows of the model's fields.</summary>
    public static RequestProblem Body(string detail) => new(StatusCodes.Status400BadRequest, "Invalid request body", detail);

    /// <summary>409 for the windows route of a model that has no windows to score (the model loaded now is the state it conflicts with).</summary>
    public static RequestProblem NoWindows(string reason) => new(StatusCodes.Status409Conflict, "No windows to score",
        $"This endpoint's /windows route cannot score windows: {reason} Send the rows as steps to the endpoint itself (the same path without /windows).");

    /// <summary>404 for a path under the endpoint that is not one of its routes.</summary>
    public static RequestProblem NoRoute(string path) => new(StatusCodes.Status404NotFound, "No such scoring route",
        $"'{path}' is not a scoring route: POST rows to the endpoint's path, or whole windows of a sequence model to its path + /windows.");

    /// <summary>413 for a request over one of the options' limits.</summary>
    public static RequestProblem TooLarge(string option, long limit, string actual) => new(StatusCodes.Status413PayloadTooLarge, "Request too large",
        $"The request has {actual}; AnomalyScorerOptions.{option} allows {limit}. Split it into smaller requests (or raise {option}).",
        new Dictionary<string, object?> { ["limit"] = option, ["allowed"] = limit, ["actual"] = actual });
}
