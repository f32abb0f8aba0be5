using System.Buffers.Binary;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace AnomalyAE.Tests;

/// <summary>Takes model files apart and puts them back together, as someone editing one by hand (or by script) would.</summary>
internal static class ModelFileEditor
{
    public const string Manifest = "manifest.json";
    public const string Seal = "manifest.seal";

    public static List<(string Name, byte[] Bytes)> Entries(byte[] model)
    {
        using var archive = new ZipArchive(new MemoryStream(model), ZipArchiveMode.Read);
        return archive.Entries.Select(e =>
        {
            using var input = e.Open();
            using var buffer = new MemoryStream();
            input.CopyTo(buffer);
            return (e.FullName, buffer.ToArray());
        }).ToList();
    }

    public static byte[] Build(IEnumerable<(string Name, byte[] Bytes)> entries)
    {
        using var output = new MemoryStream();
        using (var archive = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true))
            foreach (var (name, bytes) in entries)
            {
                using var stream = archive.CreateEntry(name, CompressionLevel.Fastest).Open();
                stream.Write(bytes);
            }
        return output.ToArray();
    }

    /// <summary>The manifest edited by <paramref name="edit"/>; with <paramref name="reseal"/> the seal is recomputed (no signature), as a forger would.</summary>
    public static byte[] EditManifest(byte[] model, Action<JsonNode> edit, bool reseal)
    {
        var entries = Entries(model);
        int index = entries.FindIndex(e => e.Name == Manifest);
        var manifest = JsonNode.Parse(entries[index].Bytes)!;
        edit(manifest);
        entries[index] = (Manifest, Encoding.UTF8.GetBytes(manifest.ToJsonString()));
        return Build(reseal ? Resealed(entries) : entries);
    }

    /// <summary>The seal recomputed over the current manifest bytes, unsigned.</summary>
    public static List<(string Name, byte[] Bytes)> Resealed(List<(string Name, byte[] Bytes)> entries)
    {
        var manifest = entries.Single(e => e.Name == Manifest).Bytes;
        var seal = new JsonObject { ["ManifestSha256"] = Convert.ToHexStringLower(SHA256.HashData(manifest)) };
        return entries.Select(e => e.Name == Seal ? (Seal, Encoding.UTF8.GetBytes(seal.ToJsonString())) : e).ToList();
    }

    /// <summary>Every part's checksum in the manifest recomputed, then the seal: a forger's complete rewrite.</summary>
    public static List<(string Name, byte[] Bytes)> Rechecksummed(List<(string Name, byte[] Bytes)> entries)
    {
        int index = entries.FindIndex(e => e.Name == Manifest);
        var manifest = JsonNode.Parse(entries[index].Bytes)!;
        foreach (var (name, bytes) in entries.Where(e => e.Name is not (Manifest or Seal)))
            manifest["Checksums"]![name] = Convert.ToHexStringLower(SHA256.HashData(bytes));
        entries = [.. entries];
        entries[index] = (Manifest, Encoding.UTF8.GetBytes(manifest.ToJsonString()));
        return Resealed(entries);
    }

    /// <summary>Writes <paramref name="size"/> as the uncompressed size of <paramref name="name"/> in its local and central headers.</summary>
    public static void PatchDeclaredSize(byte[] zip, string name, uint size)
    {
        byte[] nameBytes = Encoding.UTF8.GetBytes(name);
        for (int i = 0; i + 46 < zip.Length; i++)
        {
            uint signature = BinaryPrimitives.ReadUInt32LittleEndian(zip.AsSpan(i));
            if (signature == 0x04034b50 && Matches(zip, i + 30, BinaryPrimitives.ReadUInt16LittleEndian(zip.AsSpan(i + 26)), nameBytes))
                BinaryPrimitives.WriteUInt32LittleEndian(zip.AsSpan(i + 22), size);
            if (signature == 0x02014b50 && Matches(zip, i + 46, BinaryPrimitives.ReadUInt16LittleEndian(zip.AsSpan(i + 28)), nameBytes))
                BinaryPrimitives.WriteUInt32LittleEndian(zip.AsSpan(i + 24), size);
        }
    }

    private static bool Matches(byte[] zip, int offset, int length, byte[] name) =>
        length == name.Length && offset + length <= zip.Length && zip.AsSpan(offset, length).SequenceEqual(name);

    /// <summary>A zip whose entry <paramref name="name"/> inflates to <paramref name="bytes"/> zero bytes (written in 1 MB chunks).</summary>
    public static byte[] WithZeros(byte[] model, string name, long bytes)
    {
        var entries = Entries(model);
        using var output = new MemoryStream();
        using (var archive = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true))
            foreach (var (entryName, content) in entries)
            {
                using var stream = archive.CreateEntry(entryName, CompressionLevel.Optimal).Open();
                if (entryName != name)
                {
                    stream.Write(content);
                    continue;
                }
                var zeros = new byte[1 << 20];
                for (long written = 0; written < bytes; written += zeros.Length) stream.Write(zeros, 0, (int)Math.Min(zeros.Length, bytes - written));
            }
        return output.ToArray();
    }
}
