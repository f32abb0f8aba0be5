using System.Reflection;
using Spectre.Console.Cli;

namespace AnomalyAE.Cli;

/// <summary>
/// Rejects an option the command does not have (a typo such as <c>--epoch</c> must not train with defaults), naming
/// the closest valid option. Spectre's strict parsing rejects it too, but without a suggestion.
/// </summary>
internal static class CommandLineCheck
{
    private static readonly string[] Common = ["-h", "--help"];

    /// <summary>
    /// Throws a <see cref="CliException"/> for the first option in <paramref name="args"/> that <paramref name="settings"/>
    /// lacks, or for a stray word that no option takes as its value. Returns the arguments with <c>--name -</c> written
    /// <c>--name=-</c>, the one form in which Spectre's parser accepts <c>-</c> (standard input or output) as a value.
    /// </summary>
    public static string[] Check(string command, Type settings, IReadOnlyList<string> args)
    {
        var options = Options(settings).Concat(Common.Select(n => (Name: n, TakesValue: false))).ToList();
        var valid = options.Select(o => o.Name).ToList();
        var checkedArgs = new List<string>(args.Count);
        for (int i = 0; i < args.Count; i++)
        {
            string token = args[i];
            if (token == "--")
            {
                checkedArgs.AddRange(args.Skip(i));
                break;
            }
            if (!LooksLikeOption(token))
                throw new CliException($"Unexpected argument '{token}' for '{command}': values follow their option (--name VALUE). 'anomalyae {command} --help' lists the options.");
            string[] parts = token.Split('=', 2);
            int match = valid.FindIndex(v => string.Equals(v, parts[0], StringComparison.Ordinal));
            if (match < 0)
                throw new CliException($"Unknown option '{parts[0]}' for '{command}'; did you mean '{Closest(parts[0], valid)}'? 'anomalyae {command} --help' lists the options.");
            if (parts.Length == 2 || i + 1 == args.Count)
            {
                checkedArgs.Add(token);
                continue;
            }
            // A value follows an option that takes one; a flag may be followed by true or false.
            if (options[match].TakesValue && args[i + 1] == "-") checkedArgs.Add(token + "=-");
            else if (options[match].TakesValue || bool.TryParse(args[i + 1], out _)) checkedArgs.AddRange([token, args[i + 1]]);
            else
            {
                checkedArgs.Add(token);
                continue;
            }
            i++;
        }
        return [.. checkedArgs];
    }

    /// <summary>An unknown command, with the closest known one.</summary>
    public static CliException UnknownCommand(string command, IEnumerable<string> commands) =>
        new($"Unknown command '{command}'; did you mean '{commands.MinBy(c => Distance(command, c))}'? 'anomalyae --help' lists the commands.");

    /// <summary>"--name" and "-n" are options; "-" (standard input or output) and negative numbers are values.</summary>
    private static bool LooksLikeOption(string token) =>
        token.StartsWith("--", StringComparison.Ordinal) ? token.Length > 2 && char.IsLetter(token[2])
        : token.Length > 1 && token[0] == '-' && char.IsLetter(token[1]);

    private static IEnumerable<(string Name, bool TakesValue)> Options(Type settings) =>
        settings.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Select(p => p.GetCustomAttribute<CommandOptionAttribute>())
            .Where(a => a is not null)
            .SelectMany(a => a!.LongNames.Select(n => "--" + n).Concat(a.ShortNames.Select(n => "-" + n)).Select(n => (n, a.ValueName is not null)));

    private static string Closest(string name, IEnumerable<string> valid) =>
        valid.Where(v => v.StartsWith("--", StringComparison.Ordinal) == name.StartsWith("--", StringComparison.Ordinal))
            .DefaultIfEmpty("--help")
            .MinBy(v => Distance(name, v))!;

    /// <summary>Levenshtein distance.</summary>
    private static int Distance(string a, string b)
    {
        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        for (int i = 1; i <= a.Length; i++)
        {
            var current = new int[b.Length + 1];
            current[0] = i;
            for (int j = 1; j <= b.Length; j++)
                current[j] = Math.Min(Math.Min(current[j - 1], previous[j]) + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            previous = current;
        }
        return previous[b.Length];
    }
}
