using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace AnomalyAE.Runtime;

/// <summary>Copies between managed float buffers and contiguous CPU float tensors without per-element calls.</summary>
internal static class TensorBuffers
{
    /// <summary>A new [rows, columns] float tensor holding the first rows·columns values of <paramref name="values"/>.</summary>
    public static Tensor FromRows(ReadOnlySpan<float> values, long rows, long columns)
    {
        var tensor = empty(rows, columns, ScalarType.Float32);
        values[..checked((int)(rows * columns))].CopyTo(MemoryMarshal.Cast<byte, float>(tensor.bytes));
        return tensor;
    }

    /// <summary>Copies a float tensor's values (in row-major order) to the start of <paramref name="destination"/>.</summary>
    public static void CopyTo(Tensor tensor, Span<float> destination)
    {
        if (tensor.dtype == ScalarType.Float32 && tensor.is_contiguous())
        {
            MemoryMarshal.Cast<byte, float>(tensor.bytes).CopyTo(destination);
            return;
        }
        using var converted = tensor.to_type(ScalarType.Float32);
        using var dense = converted.contiguous();
        MemoryMarshal.Cast<byte, float>(dense.bytes).CopyTo(destination);
    }
}
