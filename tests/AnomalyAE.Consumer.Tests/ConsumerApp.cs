using System.Security.Cryptography;
using System.Text;

namespace AnomalyAE.Consumer.Tests;

/// <summary>
/// A throwaway application that uses the library from a temporary folder outside the repository, so that none of the
/// repository's Directory.Build.* files (and so not the GLIBCXX build step) apply to it. Deleted on dispose.
/// </summary>
public sealed class ConsumerApp : IDisposable
{
    /// <summary>The line the program prints after a fit; a failed fit prints <c>FAILED: message</c> and exits with 3.</summary>
    public const string ScoresMarker = "SCORES";

    // 200 rows × 4 features near zero plus one planted outlier (row 0), in `data`; the programs below start with them.
    private const string PlantedRows = """
        var ml = new MLContext(seed: 1);
        var random = new Random(1);
        var rows = Enumerable.Range(0, 200).Select(i => new Row { Features = i == 0
            ? [8f, -8f, 8f, -8f]
            : Enumerable.Range(0, 4).Select(_ => (float)(random.NextDouble() * 0.2)).ToArray() }).ToList();
        var data = ml.Data.LoadFromEnumerable(rows);

        """;

    // Fits 2 epochs on the planted rows: enough for the outlier to rank first.
    private const string Program = """
        using AnomalyAE;
        using Microsoft.ML;
        using Microsoft.ML.Data;

        """ + PlantedRows + """
        try
        {
            var estimator = ml.Autoencoders().Autoencoder(new AutoencoderOptions { LatentDimension = 2, Epochs = 2, NumberOfThreads = 1 });
            using var model = estimator.Fit(data);
            var scores = ml.Data.CreateEnumerable<Scored>(model.Transform(data), reuseRowObject: false).Select(s => s.Score).ToArray();
            int top = Array.IndexOf(scores, scores.Max());
            Console.WriteLine(FormattableString.Invariant($"SCORES rows={scores.Length} top={top} max={scores.Max():G4} median={scores.Order().ElementAt(scores.Length / 2):G4}"));
        }
        catch (InvalidOperationException e)
        {
            Console.WriteLine("FAILED: " + e.Message.ReplaceLineEndings(" "));
            return 3;
        }
        return 0;

        class Row { [VectorType(4)] public float[] Features { get; set; } = []; }
        class Scored { public float Score { get; set; } }
        """;

    public ConsumerApp()
    {
        Folder = Directory.CreateTempSubdirectory("anomalyae-consumer-").FullName;
        if (Folder.StartsWith(RepositoryRoot + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            throw new InvalidOperationException($"The temporary folder {Folder} lies inside the repository; set TMPDIR elsewhere.");
    }

    public string Folder { get; }

    /// <summary>Build output of the app and of the library it references, kept inside <see cref="Folder"/>.</summary>
    public string Artifacts => Path.Combine(Folder, "artifacts");

    /// <summary>The run-time fix's cache for this app only (ANOMALYAE_NATIVE_CACHE), empty at first.</summary>
    public string NativeCache => Path.Combine(Folder, "native-cache");

    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    public static string LibraryProject => Path.Combine(RepositoryRoot, "src", "AnomalyAE", "AnomalyAE.csproj");

    /// <summary>A console project with a ProjectReference to the library and a PackageReference to the CPU backend.</summary>
    public string WriteProjectReferenceApp()
    {
        return WriteConsoleProject($"""<ProjectReference Include="{LibraryProject}" />""");
    }

    /// <summary>
    /// A console project with PackageReferences to the library, at <paramref name="version"/>, from the local feed
    /// <paramref name="feed"/> (added by a nuget.config beside it to the machine's own sources), and to the CPU backend.
    /// </summary>
    public string WritePackageReferenceApp(string feed, string version)
    {
        WriteFeedConfig(feed);
        return WriteConsoleProject($"""<PackageReference Include="AnomalyAE" Version="{version}" />""");
    }

    /// <summary>A nuget.config that adds the local feed <paramref name="feed"/> to the machine's own sources.</summary>
    private void WriteFeedConfig(string feed)
    {
        File.WriteAllText(Path.Combine(Folder, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="anomalyae-local-feed" value="{feed}" />
              </packageSources>
            </configuration>
            """);
    }

    /// <summary>The line <see cref="ServingProgram"/> prints when the worker host started and the endpoint answered.</summary>
    public const string ServedMarker = "SERVED";

    // Fits the same model, saves it, serves it from ASP.NET Core (AnomalyAE.AspNetCore) and scores one row over HTTP, then
    // starts the scoring worker (AnomalyAE.Hosting, whose start loads the model) with an exporter of its own through the
    // configureMetrics hook, and stops both.
    private const string ServingProgram = """
        using System.Text.Json.Nodes;
        using AnomalyAE;
        using AnomalyAE.AspNetCore;
        using AnomalyAE.Hosting;
        using Microsoft.AspNetCore.Builder;
        using Microsoft.AspNetCore.Hosting;
        using Microsoft.Extensions.DependencyInjection;
        using Microsoft.Extensions.Hosting;
        using Microsoft.ML;
        using Microsoft.ML.Data;

        """ + PlantedRows + """
        string model = Path.GetFullPath("model.aeml");
        using (var fitted = ml.Autoencoders().Autoencoder(new AutoencoderOptions { LatentDimension = 2, Epochs = 2, NumberOfThreads = 1 }).Fit(data))
            ml.Autoencoders().Save(fitted, data.Schema, model);

        var web = WebApplication.CreateBuilder();
        web.WebHost.UseUrls("http://127.0.0.1:0");
        web.Services.AddAnomalyScorer(o => o.ModelPath = model);
        await using var app = web.Build();
        app.MapAnomalyScoring("/score");
        await app.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri(app.Urls.First()) };
        using var request = new StringContent("{\"Features\": [8, -8, 8, -8]}", System.Text.Encoding.UTF8, "application/json");
        using var answer = await http.PostAsync("/score", request);
        string body = await answer.Content.ReadAsStringAsync();
        if (!answer.IsSuccessStatusCode) throw new InvalidOperationException($"POST /score: {(int)answer.StatusCode} {body}");
        float score = JsonNode.Parse(body)!["Score"]!.GetValue<float>();
        await app.StopAsync();

        var worker = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = [], ContentRootPath = Directory.GetCurrentDirectory() });
        bool hooked = false;
        worker.Services.AddAnomalyScoring(o => { o.ModelPath = model; o.Inbox.Directory = "scoring"; }, metrics => hooked = true);
        using var host = worker.Build();
        await host.StartAsync();
        await host.StopAsync();
        Console.WriteLine(FormattableString.Invariant($"SERVED score={score:G4} hook={hooked}"));

        class Row { [VectorType(4)] public float[] Features { get; set; } = []; }
        """;

    /// <summary>
    /// A console project with PackageReferences to AnomalyAE.Hosting and AnomalyAE.AspNetCore (and through them the
    /// library) at <paramref name="version"/> from <paramref name="feed"/>, and the CPU backend, running <see cref="ServingProgram"/>.
    /// </summary>
    public string WriteServingApp(string feed, string version)
    {
        WriteFeedConfig(feed);
        string project = WriteConsoleProject($"""
            <PackageReference Include="AnomalyAE.Hosting" Version="{version}" />
                <PackageReference Include="AnomalyAE.AspNetCore" Version="{version}" />
            """);
        File.WriteAllText(Path.Combine(Folder, "Program.cs"), ServingProgram);
        return project;
    }

    /// <summary>Consumer.csproj (a console app referencing the library by <paramref name="libraryReference"/> and the CPU backend) and its Program.cs.</summary>
    private string WriteConsoleProject(string libraryReference)
    {
        string project = Path.Combine(Folder, "Consumer.csproj");
        File.WriteAllText(project, $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <ImplicitUsings>enable</ImplicitUsings>
                <Nullable>enable</Nullable>
              </PropertyGroup>
              <ItemGroup>
                {libraryReference}
                <PackageReference Include="TorchSharp-cpu" Version="0.107.0" />
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(Folder, "Program.cs"), Program);
        return project;
    }

    /// <summary>A .NET 10 file-based app (<c>dotnet run app.cs</c>) referencing the library's project.</summary>
    public string WriteFileBasedApp()
    {
        string app = Path.Combine(Folder, "app.cs");
        File.WriteAllText(app, $"""
            #:project {LibraryProject}
            #:package TorchSharp-cpu@0.107.0
            #:property PublishAot=false
            #:property CreateHardLinksForCopyLocalIfPossible=true
            #:property NuGetAudit=false

            """ + Program);
        return app;
    }

    /// <summary>The environment of every child: this app's own native cache, and the run-time fix on unless asked otherwise.</summary>
    public Dictionary<string, string?> Environment(bool nativeFix = true) => new()
    {
        ["ANOMALYAE_NATIVE_CACHE"] = NativeCache,
        ["ANOMALYAE_NATIVE_FIX"] = nativeFix ? null : "0",
    };

    /// <summary>Every libLibTorchSharp.so under the build output (the copies TorchSharp would load).</summary>
    public string[] CopiedLibTorchSharp() =>
        Directory.GetFiles(Path.Combine(Artifacts, "bin"), "libLibTorchSharp.so", SearchOption.AllDirectories)
            .Where(p => p.Contains($"{Path.DirectorySeparatorChar}linux-x64{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .ToArray();

    public void Dispose()
    {
        foreach (string folder in new[] { Folder, RunFileFolder(Path.Combine(Folder, "app.cs")) })
            try { if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true); }
            catch (IOException) { }   // a killed child may still hold a file for a moment; both are temporary areas
    }

    /// <summary>
    /// The folder the SDK keeps per file-based app even with --artifacts-path (a build cache stamp), named as the SDK's
    /// VirtualProjectBuildingCommand names it: &lt;file name&gt;-&lt;SHA-256 of the upper-cased full path&gt;.
    /// </summary>
    private static string RunFileFolder(string entryPoint) => Path.Join(
        OperatingSystem.IsWindows() ? Path.GetTempPath() : System.Environment.GetFolderPath(System.Environment.SpecialFolder.LocalApplicationData),
        "dotnet", "runfile",
        $"{Path.GetFileNameWithoutExtension(entryPoint)}-{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(entryPoint.ToUpperInvariant())))}");

    private static string FindRepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
            if (File.Exists(Path.Combine(folder.FullName, "AnomalyAE.sln"))) return folder.FullName;
        throw new InvalidOperationException($"AnomalyAE.sln not found above {AppContext.BaseDirectory}.");
    }
}
