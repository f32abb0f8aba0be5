using System.Reflection;

namespace AnomalyAE.Cli;

/// <summary>The tool's version (the package version, without the source-revision suffix the SDK appends).</summary>
internal static class CliVersion
{
    public static string Text { get; } =
        (typeof(CliVersion).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0").Split('+')[0];
}
