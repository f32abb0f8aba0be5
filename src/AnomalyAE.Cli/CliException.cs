namespace AnomalyAE.Cli;

/// <summary>A problem with the user's input (a file, an option): printed as one line, exit code 2.</summary>
internal sealed class CliException(string message) : Exception(message);
