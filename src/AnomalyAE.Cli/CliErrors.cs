using Spectre.Console.Cli;

namespace AnomalyAE.Cli;

/// <summary>Which exceptions are the user's to fix (one line, exit code 2) rather than bugs (stack trace, exit code 1).</summary>
internal static class CliErrors
{
    public static bool IsUserError(Exception e) =>
        e is CliException or CommandParseException or CommandRuntimeException or InvalidDataException or ArgumentException
            or InvalidOperationException or FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException;

    public static string Describe(Exception e) => e.Message;
}
