using AnomalyAE.Persistence;
using Microsoft.ML;

namespace AnomalyAE.Onnx;

/// <summary>
/// Loads either kind of model file by its content: an AnomalyAE model (.aeml, a zip, read by <see cref="ModelReader"/>, which
/// needs libtorch) or an exported ONNX model (read by <see cref="OnnxModelLoader"/>, which never loads libtorch).
/// </summary>
internal static class ModelFormat
{
    private const int HeadBytes = 2;

    public static ITransformer Load(MLContext context, string path, out DataViewSchema inputSchema)
    {
        if (!IsOnnxFile(path)) return new ModelReader(context).Load(path, out inputSchema);
        using var file = File.OpenRead(path);
        return new OnnxModelLoader(context).Load(file, $"model file '{path}'", out inputSchema);
    }

    public static ITransformer Load(MLContext context, Stream stream, out DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var head = new byte[HeadBytes];
        int read = stream.ReadAtLeast(head, HeadBytes, throwOnEndOfStream: false);
        // Give the bytes back: rewind a seekable stream, or read them again in front of the rest.
        Stream whole = stream.CanSeek ? Rewound(stream, read) : new PrefixedStream(head.AsMemory(0, read), stream);
        return OnnxModelLoader.LooksLikeOnnx(head.AsSpan(0, read))
            ? new OnnxModelLoader(context).Load(whole, "the model stream", out inputSchema)
            : new ModelReader(context).Load(whole, null, out inputSchema);
    }

    private static bool IsOnnxFile(string path)
    {
        if (string.IsNullOrWhiteSpace(path) || !File.Exists(path)) return false;
        using var file = File.OpenRead(path);
        Span<byte> head = stackalloc byte[HeadBytes];
        int read = file.ReadAtLeast(head, HeadBytes, throwOnEndOfStream: false);
        return OnnxModelLoader.LooksLikeOnnx(head[..read]);
    }

    private static Stream Rewound(Stream stream, int read)
    {
        stream.Seek(-read, SeekOrigin.Current);
        return stream;
    }

    /// <summary>A read-only stream that returns <paramref name="prefix"/> and then the rest of <paramref name="rest"/>.</summary>
    private sealed class PrefixedStream(ReadOnlyMemory<byte> prefix, Stream rest) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            if (prefix.IsEmpty) return rest.Read(buffer);
            int n = Math.Min(prefix.Length, buffer.Length);
            prefix.Span[..n].CopyTo(buffer);
            prefix = prefix[n..];
            return n;
        }
    }
}
