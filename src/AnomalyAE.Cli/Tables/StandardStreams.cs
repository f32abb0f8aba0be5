namespace AnomalyAE.Cli.Tables;

/// <summary>The usual <c>-</c> convention: a CSV path of <c>-</c> reads standard input or writes standard output.</summary>
internal static class StandardStreams
{
    public const string InputName = "standard input";
    public const string OutputName = "standard output";

    public static bool Is(string path) => path == "-";

    /// <summary>How to name a path in a log line.</summary>
    public static string Describe(string path, bool output) => Is(path) ? (output ? OutputName : InputName) : Path.GetFullPath(path);
}
