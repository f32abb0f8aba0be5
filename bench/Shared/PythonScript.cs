using System.Diagnostics;
using System.Text.Json;

/// <summary>Runs a peer script under Debian's python3 with one BLAS/OpenMP thread and reads the JSON objects it prints, one per line.</summary>
internal static class PythonScript
{
    public const string Python = "/usr/bin/python3";

    /// <summary>The JSON lines <paramref name="script"/> printed; throws with its standard error when it fails.</summary>
    public static List<JsonElement> Run(string script, IEnumerable<string> arguments, string what)
    {
        var start = new ProcessStartInfo(Python) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(script);
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        start.Environment["OMP_NUM_THREADS"] = "1";
        start.Environment["OPENBLAS_NUM_THREADS"] = "1";
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Cannot start {Python}.");
        var stderr = process.StandardError.ReadToEndAsync();
        var lines = new List<string>();
        while (process.StandardOutput.ReadLine() is { } line) lines.Add(line);
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{Path.GetFileName(script)} failed on {what} (exit {process.ExitCode}): {stderr.Result}");
        return lines.Where(l => l.StartsWith('{')).Select(l => JsonDocument.Parse(l).RootElement).ToList();
    }
}
