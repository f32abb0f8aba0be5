using System.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AnomalyAE.Hosting.Tests;

/// <summary>What the in-process worker tests share: a host configured from a dictionary, waiting, and handing files over.</summary>
internal static class WorkerHost
{
    /// <summary>A worker host rooted at <paramref name="root"/> with <paramref name="settings"/>, logging into <paramref name="logs"/>.</summary>
    public static IHost Build(string root, List<string> logs, IDictionary<string, string?> settings)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { ContentRootPath = root, Args = [] });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Logging.ClearProviders().AddProvider(new ListLoggerProvider(logs));
        builder.Services.AddAnomalyScoring(builder.Configuration);
        return builder.Build();
    }

    /// <summary>
    /// Starts <c>anomalyae worker --config <paramref name="config"/></c> in a child process (with extra environment
    /// variables), its output read and dropped so that it never blocks on a full pipe.
    /// </summary>
    public static Process StartProcess(string config, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "AnomalyAE.Cli.dll"), "worker", "--config", config])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) start.Environment[name] = value;
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    public static void WaitFor(Func<bool> condition, string what, int seconds = 60)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"timed out waiting for {what}");
            Thread.Sleep(30);
        }
    }

    /// <summary>Writes <paramref name="name"/> as a hidden part file and renames it into <paramref name="folder"/>: a complete hand-over.</summary>
    public static void Drop(string folder, string name, string content)
    {
        Directory.CreateDirectory(folder);
        var temporary = Path.Combine(folder, "." + name + ".part");
        File.WriteAllText(temporary, content);
        File.Move(temporary, Path.Combine(folder, name));
    }
}
