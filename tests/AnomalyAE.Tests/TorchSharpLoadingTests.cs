using AnomalyAE.Build;
using TorchSharp;

namespace AnomalyAE.Tests;

/// <summary>TorchSharp's native library loads on this machine, and the build step that makes it load does only what it says.</summary>
public class TorchSharpLoadingTests
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
