using System.Text.RegularExpressions;

namespace AnomalyAE.Consumer.Tests;

/// <summary>
/// The shell blocks of README.md and how each is marked. A fenced block whose info string is <c>bash</c>, <c>sh</c> or
/// <c>shell</c> carries an HTML comment on the line before its fence (invisible on GitHub):
/// <list type="bullet">
/// <item><c>&lt;!-- runnable --&gt;</c>: <see cref="ReadmeRun"/> runs it as written;</item>
/// <item><c>&lt;!-- runnable: not in CI — REASON --&gt;</c>: too slow for CI or a server that runs until stopped;
/// <see cref="ReadmeTests"/> lists each such block with its reason.</item>
/// </list>
/// Inside a runnable block a command is a line (with its <c>\</c> continuations); a comment <c># prints: TEXT</c> at the end
/// of the command's line, or on a comment line after it, says that the command's output (standard output and error)
/// contains TEXT.
/// </summary>
public sealed record ReadmeBlock(int Line, string Marker, string? Reason, IReadOnlyList<ReadmeStep> Steps)
{
    public bool Runnable => Marker == "runnable";

    /// <summary>The block's first command, which names it in messages and in the list of blocks not run in CI.</summary>
    public string FirstCommand => Steps.Count > 0 ? Steps[0].Command : "";
}

/// <summary>One command of a block: its README line, its text (continuations joined) and the output it documents.</summary>
public sealed record ReadmeStep(int Line, string Command, IReadOnlyList<string> Prints);

public static class Readme
{
    private static readonly Regex Fence = new(@"^(?<indent>\s*)```(?<info>\w*)\s*$", RegexOptions.CultureInvariant);
    private static readonly Regex Marker = new(@"^\s*<!--\s*(?<marker>runnable)(\s*:\s*(?<kind>not in CI)\s*[—-]+\s*(?<reason>.+?))?\s*-->\s*$", RegexOptions.CultureInvariant);
    private static readonly Regex Prints = new(@"(^|\s)#.*?\bprints:\s*(?<text>.+?)\s*$", RegexOptions.CultureInvariant);
    private static readonly string[] Shells = ["bash", "sh", "shell"];

    public static string Path => System.IO.Path.Combine(ConsumerApp.RepositoryRoot, "README.md");

    /// <summary>
    /// Every shell block of <paramref name="lines"/>; a block without a valid marker has <see cref="ReadmeBlock.Marker"/>
    /// "" (an error the tests report with its line).
    /// </summary>
    public static List<ReadmeBlock> ShellBlocks(IReadOnlyList<string> lines)
    {
        var blocks = new List<ReadmeBlock>();
        for (int i = 0; i < lines.Count; i++)
        {
            var open = Fence.Match(lines[i]);
            if (!open.Success) continue;
            int close = i + 1;
            while (close < lines.Count && !Fence.IsMatch(lines[close])) close++;
            if (Shells.Contains(open.Groups["info"].Value))
            {
                var marker = i > 0 ? Marker.Match(lines[i - 1]) : Match.Empty;
                string kind = !marker.Success ? "" : marker.Groups["kind"].Success ? "not in CI" : "runnable";
                string? reason = marker.Success && marker.Groups["reason"].Success ? marker.Groups["reason"].Value : null;
                blocks.Add(new ReadmeBlock(i + 1, kind, reason, Steps(lines, i + 1, close)));
            }
            i = close;
        }
        return blocks;
    }

    public static List<ReadmeBlock> ShellBlocks() => ShellBlocks(File.ReadAllLines(Path));

    /// <summary>The commands between the fence lines <paramref name="start"/> (the line after the opening fence) and <paramref name="end"/>.</summary>
    private static List<ReadmeStep> Steps(IReadOnlyList<string> lines, int start, int end)
    {
        var steps = new List<ReadmeStep>();
        for (int i = start; i < end; i++)
        {
            string line = lines[i].Trim();
            if (line.Length == 0) continue;
            if (line.StartsWith('#'))
            {
                // A comment line: documented output of the command before it, or prose.
                if (Prints.Match(line) is { Success: true } comment && steps.Count > 0)
                    steps[^1] = steps[^1] with { Prints = [.. steps[^1].Prints, comment.Groups["text"].Value] };
                continue;
            }
            int first = i;
            var command = new List<string> { lines[i] };
            while (command[^1].TrimEnd().EndsWith('\\') && i + 1 < end) command.Add(lines[++i]);
            string text = string.Join('\n', command);
            var prints = Prints.Match(command[^1]) is { Success: true } trailing ? new List<string> { trailing.Groups["text"].Value } : [];
            steps.Add(new ReadmeStep(first + 1, text, prints));
        }
        return steps;
    }
}
