using System.IO.Compression;
using System.Security.Cryptography;

namespace AnomalyAE.Persistence;

/// <summary>
/// Reads zip entries without trusting their sizes: an entry must declare at most the bytes its reader allows, and must
/// inflate to exactly what it declares; reading stops one byte past the declared size, so a small entry that inflates to
/// gigabytes fails after a few kilobytes. Every byte is hashed as it streams.
/// </summary>
internal static class BoundedEntry
{
    private const int ChunkSize = 81920;

    /// <summary>Checks <paramref name="entry"/> against its SHA-256 while streaming it; nothing is kept in memory.</summary>
    public static void Verify(ZipArchiveEntry entry, long maxBytes, string expectedSha256, string source) =>
        Read(entry, maxBytes, expectedSha256, keep: false, source);

    /// <summary>The bytes of <paramref name="entry"/>, checked against <paramref name="expectedSha256"/> when given.</summary>
    public static byte[] ReadAll(ZipArchiveEntry entry, long maxBytes, string? expectedSha256, string source) =>
        Read(entry, maxBytes, expectedSha256, keep: true, source)!;

    /// <summary>The lowercase hex SHA-256 of <paramref name="bytes"/>.</summary>
    public static string Sha256(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    private static byte[]? Read(ZipArchiveEntry entry, long maxBytes, string? expectedSha256, bool keep, string source)
    {
        long declared = entry.Length;
        if (declared < 0 || declared > maxBytes)
            throw new InvalidDataException($"{source} is damaged or not an AnomalyAE model: part '{entry.FullName}' declares {declared:N0} bytes, more than the {maxBytes:N0} its manifest allows.");
        byte[]? bytes = keep ? new byte[declared] : null;
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var chunk = new byte[(int)Math.Min(ChunkSize, declared + 1)];
        long total = 0;
        using (var input = entry.Open())
        {
            while (true)
            {
                int read = input.Read(chunk, 0, chunk.Length);
                if (read == 0) break;
                if (total + read > declared)
                    throw new InvalidDataException($"{source} is damaged: part '{entry.FullName}' inflates past the {declared:N0} bytes it declares.");
                hash.AppendData(chunk, 0, read);
                if (bytes is not null) Buffer.BlockCopy(chunk, 0, bytes, (int)total, read);
                total += read;
            }
        }
        if (total != declared)
            throw new InvalidDataException($"{source} is damaged: part '{entry.FullName}' has {total:N0} bytes but declares {declared:N0} (truncated?).");
        if (expectedSha256 is not null && !string.Equals(Convert.ToHexStringLower(hash.GetHashAndReset()), expectedSha256, StringComparison.Ordinal))
            throw new InvalidDataException($"{source} is corrupted: part '{entry.FullName}' does not match its checksum.");
        return bytes;
    }
}
