using System.Diagnostics;

namespace AnomalyAE.Consumer.Tests;

/// <summary>The result of one <c>dotnet</c> child process: exit code, both output streams and how long it took.</summary>
public sealed record ProcessResult(int ExitCode, string Output, string Errors, TimeSpan Elapsed)
{
    public override string ToString() => $"exit code {ExitCode} after {Elapsed.TotalSeconds:F1} s\n--- stdout ---\n{Output}\n--- stderr ---\n{Errors}";
}

/// <summary>Runs the <c>dotnet</c> host as a child process with a time limit, killing its whole tree when it overruns.</summary>
public static class DotnetProcess
{
    public static readonly TimeSpan TimeLimit = TimeSpan.FromMinutes(8);

    public static ProcessResult Run(string workingDirectory, IReadOnlyDictionary<string, string?> environment, params string[] arguments) =>
        ProgramProcess.Run(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet", workingDirectory, environment, arguments);
}

/// <summary>Runs any program (an apphost, an installed tool) as a child process, the same way.</summary>
public static class ProgramProcess
{
    public static ProcessResult Run(string program, string workingDirectory, IReadOnlyDictionary<string, string?> environment, params string[] arguments) =>
        Run(program, workingDirectory, environment, DotnetProcess.TimeLimit, arguments);

    /// <summary>As the other overload, killed after <paramref name="limit"/> instead of <see cref="DotnetProcess.TimeLimit"/>.</summary>
    public static ProcessResult Run(string program, string workingDirectory, IReadOnlyDictionary<string, string?> environment, TimeSpan limit, params string[] arguments)
    {
        var start = new ProcessStartInfo(program)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (string argument in arguments) start.ArgumentList.Add(argument);
        // The test host runs under MSBuild (dotnet test), whose variables would steer the child's own MSBuild.
        foreach (string name in start.Environment.Keys.Where(k => k.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase)).ToList())
            start.Environment.Remove(name);
        start.Environment["MSBUILDDISABLENODEREUSE"] = "1";   // no build nodes outliving the test
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        foreach (var (name, value) in environment)
            if (value is null) start.Environment.Remove(name);
            else start.Environment[name] = value;

        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(limit))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            throw new TimeoutException($"{program} {string.Join(' ', arguments)} did not finish within {limit}.\n" +
                                       new ProcessResult(-1, Finished(output), Finished(errors), clock.Elapsed));
        }
        process.WaitForExit();   // drains the output streams
        return new ProcessResult(process.ExitCode, output.Result, errors.Result, clock.Elapsed);
    }

    private static string Finished(Task<string> stream) => stream.Wait(TimeSpan.FromSeconds(5)) ? stream.Result : "(not closed)";
}
