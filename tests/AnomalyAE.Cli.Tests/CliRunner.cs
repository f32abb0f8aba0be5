using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace AnomalyAE.Cli.Tests;

/// <summary>Runs the anomalyae CLI in a child process and captures its output.</summary>
internal sealed record CliResult(int ExitCode, string Output, string Errors)
{
    /// <summary>Standard output as bytes (a model file written to <c>-</c>).</summary>
    public byte[] OutputBytes { get; init; } = [];
}

internal static class CliRunner
{
    public static CliResult Run(params string[] arguments) => RunWithInput(null, arguments);

    /// <summary>Runs the CLI with <paramref name="input"/> (if any) on its standard input.</summary>
    public static CliResult RunWithInput(byte[]? input, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "AnomalyAE.Cli.dll"), .. arguments])
        {
            RedirectStandardInput = input is not null,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var output = new MemoryStream();
        var copy = process.StandardOutput.BaseStream.CopyToAsync(output);
        var errors = process.StandardError.ReadToEndAsync();
        if (input is not null)
        {
            try
            {
                process.StandardInput.BaseStream.Write(input);
                process.StandardInput.Close();
            }
            catch (IOException) { }   // the CLI stopped before reading it all (e.g. a bad option): its exit code tells
        }
        if (!process.WaitForExit(TimeSpan.FromMinutes(3)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"anomalyae {string.Join(' ', arguments)} hung");
        }
        copy.Wait();
        return new CliResult(process.ExitCode, Encoding.UTF8.GetString(output.ToArray()), errors.Result) { OutputBytes = output.ToArray() };
    }

    /// <summary>A CSV of rows on a 2-D manifold in 8 dimensions with every 25th row an outlier (label 1), plus an id column.</summary>
    public static string ManifoldCsv(string folder, string name, int rows, int seed = 1)
    {
        var random = new Random(seed);
        var text = new StringBuilder("id," + string.Join(',', Enumerable.Range(0, 8).Select(i => $"x{i}")) + ",label\n");
        for (int r = 0; r < rows; r++)
        {
            bool anomaly = r % 25 == 0;
            double a = random.NextDouble() * 2 - 1, b = random.NextDouble() * 2 - 1;
            var values = Enumerable.Range(0, 8).Select(i => anomaly ? random.NextDouble() * 6 - 3 : Math.Tanh(a * (i % 3 - 1) + b * (i % 4 - 1.5)) + 0.02 * (random.NextDouble() - 0.5));
            text.Append($"row{r},").Append(string.Join(',', values.Select(v => v.ToString("F5", CultureInfo.InvariantCulture)))).Append(anomaly ? ",1\n" : ",0\n");
        }
        string path = Path.Combine(folder, name);
        File.WriteAllText(path, text.ToString());
        return path;
    }
}
