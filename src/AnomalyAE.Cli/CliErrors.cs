using System.Reflection;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using Spectre.Console.Cli;

namespace AnomalyAE.Cli;

/// <summary>
/// Which exceptions are the user's to fix (one line, exit code 2) rather than bugs (stack trace, exit code 1): bad input,
/// damaged or unsigned model files, invalid worker configuration, and every file-system failure (missing, read-only,
/// a directory where a file was expected, no permission, disk full).
/// </summary>
internal static class CliErrors
{
    public static bool IsUserError(Exception e) =>
        Unwrap(e) is CliException or CommandParseException or CommandRuntimeException or InvalidDataException or ArgumentException
            or InvalidOperationException or IOException or UnauthorizedAccessException or OptionsValidationException;

    /// <summary>One line: the message of the exception that matters, without wrappers or line breaks.</summary>
    public static string Describe(Exception e)
    {
        var inner = Unwrap(e);
        string message = inner is OptionsValidationException options ? string.Join(" ", options.Failures) : inner.Message;
        message = string.Join(' ', message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        return TargetOf(message);
    }

    // Atomic writes go through a hidden temporary next to the target (.NAME.GUID.tmp for models, PATH.GUID.tmp for
    // tables): a failure there is reported with the target's name, the one the user gave.
    private static readonly Regex HiddenTemporary = new(@"(?<folder>/|\\)\.(?<name>[^/\\'""\s]+?)\.[0-9a-f]{32}\.tmp", RegexOptions.CultureInvariant);
    private static readonly Regex SuffixedTemporary = new(@"\.[0-9a-f]{32}\.tmp\b", RegexOptions.CultureInvariant);

    private static string TargetOf(string message) =>
        SuffixedTemporary.Replace(HiddenTemporary.Replace(message, m => m.Groups["folder"].Value + m.Groups["name"].Value), "");

    // Hosting and reflection wrap the exception that explains a failure (e.g. a worker whose model cannot be loaded).
    private static Exception Unwrap(Exception e) => e switch
    {
        AggregateException { InnerExceptions.Count: 1 } aggregate => Unwrap(aggregate.InnerExceptions[0]),
        TargetInvocationException { InnerException: { } inner } => Unwrap(inner),
        _ => e,
    };
}
