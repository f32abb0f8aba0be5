using System.Buffers.Binary;
using System.IO.Compression;

namespace AnomalyAE.Datasets;

/// <summary>
/// An IDX file (the format of MNIST and Fashion-MNIST): unsigned-byte items with a shape, read from a plain or
/// gzip-compressed file.
/// </summary>
public sealed class IdxFile
{
    private IdxFile(int[] shape, byte[] data)
    {
        Shape = shape;
        Data = data;
    }

    /// <summary>Dimensions: [count] for labels, [count, rows, columns] for images.</summary>
    public IReadOnlyList<int> Shape { get; }

    /// <summary>All items, row-major.</summary>
    public byte[] Data { get; }

    /// <summary>Number of items (the first dimension).</summary>
    public int Count => Shape[0];

    /// <summary>Bytes per item (product of the other dimensions).</summary>
    public int ItemSize => Shape.Skip(1).Aggregate(1, (a, b) => a * b);

    /// <summary>Reads <paramref name="path"/>; names ending in <c>.gz</c> (or starting with the gzip magic) are decompressed.</summary>
    public static IdxFile Read(string path)
    {
        using var file = File.OpenRead(path);
        int first = file.ReadByte(), second = file.ReadByte();
        file.Position = 0;
        bool gzip = first == 0x1f && second == 0x8b;
        using Stream stream = gzip ? new GZipStream(file, CompressionMode.Decompress) : file;
        try
        {
            return Read(stream);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"'{path}' is not a valid IDX file: {e.Message}", e);
        }
        catch (EndOfStreamException e)
        {
            throw new InvalidDataException($"'{path}' is truncated: {e.Message}", e);
        }
    }

    /// <summary>Reads an uncompressed IDX stream.</summary>
    public static IdxFile Read(Stream stream)
    {
        Span<byte> header = stackalloc byte[4];
        stream.ReadExactly(header);
        if (header[0] != 0 || header[1] != 0)
            throw new InvalidDataException("the magic number does not start with two zero bytes.");
        if (header[2] != 0x08)
            throw new InvalidDataException($"element type 0x{header[2]:x2} is not supported (only unsigned bytes, 0x08).");
        int dimensions = header[3];
        if (dimensions is < 1 or > 4) throw new InvalidDataException($"{dimensions} dimensions is not plausible.");
        var shape = new int[dimensions];
        Span<byte> size = stackalloc byte[4];
        long total = 1;
        for (int i = 0; i < dimensions; i++)
        {
            stream.ReadExactly(size);
            shape[i] = BinaryPrimitives.ReadInt32BigEndian(size);
            if (shape[i] < 0) throw new InvalidDataException($"dimension {i} is negative.");
            total *= shape[i];
            if (total > Array.MaxLength) throw new InvalidDataException("the file claims more items than fit in memory.");
        }
        var data = new byte[total];
        stream.ReadExactly(data);
        return new IdxFile(shape, data);
    }

    /// <summary>Item <paramref name="index"/> as floats scaled to [0, 1] (byte / 255).</summary>
    public float[] ItemAsUnitFloats(int index)
    {
        var item = new float[ItemSize];
        var bytes = Data.AsSpan(index * ItemSize, ItemSize);
        for (int i = 0; i < item.Length; i++) item[i] = bytes[i] / 255f;
        return item;
    }
}
