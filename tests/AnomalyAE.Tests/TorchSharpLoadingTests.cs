using System.Security.Cryptography;
using AnomalyAE.Build;
using AnomalyAE.NativeLoading;
using AnomalyAE.Runtime;
using TorchSharp;
using Xunit.Abstractions;

namespace AnomalyAE.Tests;

/// <summary>
/// TorchSharp's native library loads on this machine, the build step that makes it load does only what it says, the
/// run-time fix caches its copy safely, and a load failure is explained by what the dynamic loader said.
/// </summary>
public class TorchSharpLoadingTests(ITestOutputHelper output)
{
    private const string Version = "GLIBCXX_3.4.32";

    [Fact]
    public void TorchInitializesAndComputes()
    {
        using var a = torch.ones(2, 3);
        using var b = a.sum();
        Assert.Equal(6f, b.item<float>());
    }

    [Fact]
    public void CopiedLibraryHasTheVersionNeedWeakenedWhenTheHostLacksIt()
    {
        if (!OperatingSystem.IsLinux()) return;
        var copied = Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        Assert.True(File.Exists(copied), $"{copied} is missing");
        bool strict = ElfVersionNeeds.RequiresStrictly(File.ReadAllBytes(copied), Version);
        Assert.Equal(HostLibStdCxx.Provides(Version), strict);
    }

    [Fact]
    public void WeakeningChangesOnlyTheFlagsOfThatOneEntryAndIsIdempotent()
    {
        var original = OriginalLibrary();
        Assert.True(ElfVersionNeeds.RequiresStrictly(original, Version));

        var patched = (byte[])original.Clone();
        Assert.Equal(WeakenOutcome.Weakened, ElfVersionNeeds.Weaken(patched, Version));
        Assert.False(ElfVersionNeeds.RequiresStrictly(patched, Version));
        var changed = Enumerable.Range(0, original.Length).Where(i => original[i] != patched[i]).ToArray();
        Assert.Single(changed);
        Assert.Equal(original[changed[0]] | 0x2, patched[changed[0]]);

        var again = (byte[])patched.Clone();
        Assert.Equal(WeakenOutcome.AlreadyWeak, ElfVersionNeeds.Weaken(again, Version));
        Assert.Equal(patched, again);
        Assert.Equal(WeakenOutcome.NotRequired, ElfVersionNeeds.Weaken((byte[])original.Clone(), "GLIBCXX_9.9.9"));
    }

    [Fact]
    public void NonElfAndTruncatedFilesAreHandledWithoutCrashing()
    {
        Assert.Equal(WeakenOutcome.NotElf64, ElfVersionNeeds.Weaken("MZ not an ELF file at all......................................................"u8.ToArray(), Version));
        var truncated = OriginalLibrary()[..4096];
        Assert.Throws<InvalidDataException>(() => ElfVersionNeeds.Weaken(truncated, Version));
    }

    [Fact]
    public void TheRunTimeFixLeavesALoadableLibraryAlone()
    {
        // This test output's copy was patched by the build step (or the host is new enough): nothing for the fix to do.
        var report = NativeBackendLoader.Prepare(typeof(torch).Assembly, applyFix: true);
        var expected = OperatingSystem.IsLinux() ? NativeFixOutcome.LoadsAsIs : NativeFixOutcome.NotApplicable;
        Assert.Equal(expected, report.Outcome);
        Assert.Null(report.PatchedCopy);
    }

    [Fact]
    public void TheFixIsTurnedOffByTheEnvironmentVariableOrTheAppContextSwitch()
    {
        // Process-wide settings: the test collections of this project run one at a time (xunit.runner.json).
        string? variable = Environment.GetEnvironmentVariable(NativeBackendLoader.DisableVariable);
        try
        {
            Environment.SetEnvironmentVariable(NativeBackendLoader.DisableVariable, null);
            Assert.Null(NativeBackendLoader.DisabledBy());
            Environment.SetEnvironmentVariable(NativeBackendLoader.DisableVariable, "0");
            Assert.Contains("ANOMALYAE_NATIVE_FIX=0", NativeBackendLoader.DisabledBy());
            Environment.SetEnvironmentVariable(NativeBackendLoader.DisableVariable, "1");
            Assert.Null(NativeBackendLoader.DisabledBy());
            AppContext.SetSwitch(NativeBackendLoader.DisableSwitch, true);
            Assert.Contains("AnomalyAE.DisableNativeLibraryFix", NativeBackendLoader.DisabledBy());
        }
        finally
        {
            AppContext.SetSwitch(NativeBackendLoader.DisableSwitch, false);
            Environment.SetEnvironmentVariable(NativeBackendLoader.DisableVariable, variable);
        }
    }

    private const string LibTorchSharpPath = "/app/bin/runtimes/linux-x64/native/libLibTorchSharp.so";
    private const string NativeFolder = "/app/bin/runtimes/linux-x64/native";
    private const string TorchSharpSays = "This application or script uses TorchSharp but doesn't contain a reference to libtorch-cpu-linux-x64, Version=2.10.0.0.\n\nConsider referencing ...";
    private const string DotNetPreamble = "Unable to load shared library '" + LibTorchSharpPath + "' or one of its dependencies. In order to help diagnose loading problems, " +
                                          "consider using a tool like strace. If you're using glibc, consider setting the LD_DEBUG environment variable: \n";
    private const string GlibcxxMissing = "/lib/x86_64-linux-gnu/libstdc++.so.6: version `GLIBCXX_3.4.32' not found (required by " + LibTorchSharpPath + ")";

    private static readonly Dictionary<string, (NativeLoadReport Report, string[] Says, string[] NeverSays)> MessageCases = new()
    {
        // The known problem with the fix turned off: name the version, the opt-out in force, and no backend advice.
        ["GLIBCXX, fix off"] = (Report(NativeFixOutcome.LoadFailed, DotNetPreamble + GlibcxxMissing) with { DisabledBy = "the environment variable ANOMALYAE_NATIVE_FIX=0" },
          ["GLIBCXX_3.4.32", "ANOMALYAE_NATIVE_FIX=0", "AnomalyAEWeakenGlibcxx", "(required by " + LibTorchSharpPath], ["Add a backend", "LD_DEBUG"]),
        // The fix could not write its copy: say where and how to move the cache.
        ["GLIBCXX, cache unwritable"] = (Report(NativeFixOutcome.FixFailed, GlibcxxMissing) with { FixError = "Access to the path '/home/x/.cache' is denied." },
          ["GLIBCXX_3.4.32", "Access to the path", "ANOMALYAE_NATIVE_CACHE"], ["Add a backend"]),
        // The patched copy needs yet another version: that is not fixable by weakening.
        ["patched copy needs more"] = (Report(NativeFixOutcome.FixFailed, GlibcxxMissing) with { PatchedCopy = "/c/ab/libLibTorchSharp.so",
            FixError = "/lib/x86_64-linux-gnu/libstdc++.so.6: version `GLIBCXX_3.4.33' not found (required by /c/ab/libLibTorchSharp.so)" },
          ["/c/ab/libLibTorchSharp.so still fails", "GLIBCXX_3.4.33", "newer system library"], ["Add a backend"]),
        // Another missing version (an older glibc): name it and the library lacking it.
        ["GLIBC too old"] = (Report(NativeFixOutcome.LoadFailed, "/lib/x86_64-linux-gnu/libc.so.6: version `GLIBC_2.38' not found (required by " + NativeFolder + "/libtorch_cpu.so)"),
          ["GLIBC_2.38", "libc.so.6", "libtorch_cpu.so needs"], ["Add a backend", "GLIBCXX_3.4.32"]),
        // libtorch is really missing (only TorchSharp's own library is there): the backend advice is true.
        ["no backend"] = (Report(NativeFixOutcome.LoadFailed, "libtorch.so: cannot open shared object file: No such file or directory") with { LibTorchFolder = null },
          ["no libtorch backend", "TorchSharp-cpu", "libtorch.so"], []),
        // A dependency other than libtorch is missing while libtorch is present: no backend advice.
        ["missing dependency"] = (Report(NativeFixOutcome.LoadFailed, "libgomp-98b21ff3.so.1: cannot open shared object file: No such file or directory"),
          ["libgomp-98b21ff3.so.1", "libtorch itself was found in " + NativeFolder], ["Add a backend", "no libtorch backend"]),
        ["wrong architecture"] = (Report(NativeFixOutcome.LoadFailed, LibTorchSharpPath + ": wrong ELF class: ELFCLASS32"),
          ["not a loadable linux-x64 library", "wrong architecture", "ELFCLASS32"], ["Add a backend"]),
        ["mismatched versions"] = (Report(NativeFixOutcome.LoadFailed, LibTorchSharpPath + ": undefined symbol: _ZN2at4_ops3add4callERKNS_6TensorES4_RKN3c106ScalarE"),
          ["do not match", "libtorch 2.10.0", "undefined symbol"], ["no libtorch backend"]),
        // The fix itself broke before finding anything: its error is reported, TorchSharp's advice only as a condition.
        ["fix crashed"] = (new NativeLoadReport { Outcome = NativeFixOutcome.FixFailed, FixError = "Disk quota exceeded" },
          ["run-time fix failed: Disk quota exceeded", "If the application has no backend package"], []),
        // The patched copy is on a noexec mount.
        ["noexec cache"] = (Report(NativeFixOutcome.FixFailed, GlibcxxMissing) with { PatchedCopy = "/tmp/c/ab/libLibTorchSharp.so",
            FixError = "/tmp/c/ab/libLibTorchSharp.so: failed to map segment from shared object" },
          ["noexec", "ANOMALYAE_NATIVE_CACHE"], ["Add a backend"]),
        // Nothing anywhere: the one case where TorchSharp's advice is right.
        ["nothing installed"] = (new NativeLoadReport { Outcome = NativeFixOutcome.NotFound, SearchedFolders = ["/app/bin", "/home/x/.nuget/packages/torchsharp/0.107.0/runtimes/linux-x64/native"] },
          ["Add a backend package", "TorchSharp-cpu", "Searched: /app/bin"], []),
        // Files present and no loader complaint (e.g. diagnosed after TorchSharp's own attempt): never the backend advice.
        ["files present"] = (new NativeLoadReport { Outcome = NativeFixOutcome.LoadsAsIs, LibTorchSharp = LibTorchSharpPath, LibTorchFolder = NativeFolder },
          ["native files are present", "TorchSharp said: This application"], ["Add a backend", "add one"]),
    };

    public static TheoryData<string> MessageSituations => new(MessageCases.Keys);

    [Theory]
    [MemberData(nameof(MessageSituations))]
    public void TheLoadFailureMessageNamesWhatTheLoaderSaidAndTheFixThatFits(string situation)
    {
        var (report, says, neverSays) = MessageCases[situation];
        string message = NativeLoadMessage.Build(TorchSharpSays, report);
        output.WriteLine(message);
        foreach (string text in says) Assert.True(message.Contains(text, StringComparison.Ordinal), $"{situation}: expected \"{text}\" in: {message}");
        foreach (string text in neverSays) Assert.False(message.Contains(text, StringComparison.OrdinalIgnoreCase), $"{situation}: unexpected \"{text}\" in: {message}");
    }

    [Fact]
    public void LoaderErrorsAreTakenApartFromDotNetsMessage()
    {
        var version = LoaderError.Parse(DotNetPreamble + GlibcxxMissing);
        Assert.Equal(LoaderErrorKind.MissingVersion, version.Kind);
        Assert.Equal("GLIBCXX_3.4.32", version.Version);
        Assert.Equal("/lib/x86_64-linux-gnu/libstdc++.so.6", version.Library);
        Assert.Equal(LibTorchSharpPath, version.RequiredBy);
        Assert.Equal(GlibcxxMissing, version.Text);

        var missing = LoaderError.Parse("libc10.so: cannot open shared object file: No such file or directory");
        Assert.Equal((LoaderErrorKind.MissingFile, "libc10.so"), (missing.Kind, missing.Library));
        // An existing file the loader "cannot open" was rejected, not missing.
        string existing = typeof(LoaderError).Assembly.Location;
        Assert.Equal(LoaderErrorKind.WrongFormat, LoaderError.Parse($"{existing}: cannot open shared object file: No such file or directory").Kind);
        Assert.Equal(LoaderErrorKind.Other, LoaderError.Parse("something else entirely").Kind);
    }

    [Fact]
    public void TheCacheWritesOneCompleteHashNamedFileWhenManyThreadsRaceForIt()
    {
        string root = Directory.CreateTempSubdirectory("anomalyae-cache-").FullName;
        try
        {
            byte[] source = RandomNumberGenerator.GetBytes(1 << 20);
            byte[] Derive(byte[] s) { var d = (byte[])s.Clone(); d[0] ^= 0xFF; return d; }
            using var start = new Barrier(8);
            var paths = new string[8];
            var threads = Enumerable.Range(0, 8).Select(i => new Thread(() =>
            {
                start.SignalAndWait();
                for (int round = 0; round < 5; round++)
                {
                    paths[i] = HashNamedFileCache.GetOrCreate(root, "libX.so", source, Derive);
                    Assert.Equal(Derive(source), File.ReadAllBytes(paths[i]));   // never partial, even while others write
                }
            })).ToArray();
            foreach (var t in threads) t.Start();
            foreach (var t in threads) t.Join();

            string expected = Path.Combine(root, Convert.ToHexStringLower(SHA256.HashData(source)), "libX.so");
            Assert.All(paths, p => Assert.Equal(expected, p));
            Assert.Equal([expected], Directory.GetFiles(root, "*", SearchOption.AllDirectories));   // no temporary files left

            File.WriteAllBytes(expected, [1, 2, 3]);   // a damaged entry is replaced
            Assert.Equal(Derive(source), File.ReadAllBytes(HashNamedFileCache.GetOrCreate(root, "libX.so", source, Derive)));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static NativeLoadReport Report(NativeFixOutcome outcome, string loaderError) => new()
    {
        Outcome = outcome, LoaderError = loaderError, LibTorchSharp = LibTorchSharpPath, LibTorchFolder = NativeFolder,
        SearchedFolders = [NativeFolder],
    };

    /// <summary>The unmodified library from the NuGet cache (read only).</summary>
    private static byte[] OriginalLibrary()
    {
        string packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        string version = typeof(torch).Assembly.GetName().Version!.ToString(3);
        var path = Path.Combine(packages, "torchsharp", version, "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        Assert.True(File.Exists(path), $"TorchSharp's original native library not found at {path}");
        return File.ReadAllBytes(path);
    }
}
