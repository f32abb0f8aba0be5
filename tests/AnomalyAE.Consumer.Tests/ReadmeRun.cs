using System.Text;

namespace AnomalyAE.Consumer.Tests;

/// <summary>
/// The README's runnable blocks, run once as written, in order, in one bash session (as a reader who follows the README
/// in one shell: a variable or PATH set in one block holds in the next), each block starting in the root of the
/// repository's copy. <c>set -euo pipefail</c>: the first command that fails (or a pipe whose any part fails) ends the
/// run. Standard error goes to standard output, so that each command's output is in order between two markers.
/// </summary>
public sealed class ReadmeRun
{
    private const string Marker = "@@readme-step ";
    private const string Done = "@@readme-done";

    private ReadmeRun(List<ReadmeStep> steps, ProcessResult result, Dictionary<int, string> outputs, int? failed)
    {
        Steps = steps;
        Result = result;
        Outputs = outputs;
        FailedStep = failed;
    }

    /// <summary>Every command of the runnable blocks, in README order.</summary>
    public List<ReadmeStep> Steps { get; }

    public ProcessResult Result { get; }

    /// <summary>What each command that ran printed, by its index in <see cref="Steps"/>.</summary>
    public Dictionary<int, string> Outputs { get; }

    /// <summary>The index of the command that failed (and ended the run); null when every command succeeded.</summary>
    public int? FailedStep { get; }

    public static ReadmeRun Run(IReadOnlyList<ReadmeBlock> blocks, string repository, IReadOnlyDictionary<string, string?> environment, TimeSpan limit)
    {
        var steps = new List<ReadmeStep>();
        var script = new StringBuilder("""
            set -euo pipefail
            exec 2>&1
            readme_root=$PWD
            trap 'kill $(jobs -p) 2>/dev/null || true' EXIT

            """);
        foreach (var block in blocks.Where(b => b.Runnable))
        {
            script.Append($"# README.md line {block.Line}\ncd \"$readme_root\"\n");
            foreach (var step in block.Steps)
            {
                script.Append($"echo '{Marker}{steps.Count}'\n").Append(step.Command).Append('\n');
                steps.Add(step);
            }
        }
        script.Append($"echo '{Done}'\n");
        string file = Path.Combine(Path.GetTempPath(), $"anomalyae-readme-{Guid.NewGuid():N}.sh");
        File.WriteAllText(file, script.ToString());
        try
        {
            var result = ProgramProcess.Run("bash", repository, environment, limit, file);
            var (outputs, last, done) = Split(result.Output);
            int? failed = done && result.ExitCode == 0 ? null : last ?? 0;
            return new ReadmeRun(steps, result, outputs, failed);
        }
        finally
        {
            File.Delete(file);
        }
    }

    /// <summary>The output between the markers, by step; the last step that started; whether the script reached its end.</summary>
    private static (Dictionary<int, string> Outputs, int? Last, bool Done) Split(string output)
    {
        var outputs = new Dictionary<int, string>();
        int? current = null;
        var text = new StringBuilder();
        bool done = false;
        foreach (string line in output.Split('\n'))
        {
            if (line.StartsWith(Marker, StringComparison.Ordinal) || line.StartsWith(Done, StringComparison.Ordinal))
            {
                if (current is { } step) outputs[step] = text.ToString();
                text.Clear();
                if (line.StartsWith(Done, StringComparison.Ordinal))
                {
                    done = true;
                    current = null;
                    continue;
                }
                current = int.Parse(line[Marker.Length..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
                continue;
            }
            text.Append(line).Append('\n');
        }
        if (current is { } open) outputs[open] = text.ToString();
        return (outputs, done ? null : current, done);
    }

    /// <summary>A command as it appears in messages: its README line and text.</summary>
    public string Describe(int step) => $"README.md line {Steps[step].Line}: {Steps[step].Command}";
}
