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
