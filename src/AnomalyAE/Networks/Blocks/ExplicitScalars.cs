using TorchSharp;
using static TorchSharp.torch;

namespace AnomalyAE.Networks;

/// <summary>
/// Tensor arithmetic whose scalars stay alive for the whole native call. Use these instead of TorchSharp's implicit
/// conversions and the members that make a <see cref="Scalar"/> themselves.
/// </summary>
/// <remarks>
/// In TorchSharp 0.107 an implicit <see cref="Scalar"/> (<c>t * 0.5</c>, <c>t.pow(2)</c>, <c>clamp(min: 1e-6)</c>) is a
/// managed object that nothing references once its handle has been read. If another thread triggers a garbage collection
/// during the native call, the finalizer can free the native scalar while libtorch still reads it. The result is a random
/// "Unknown scalar type", "Expected false to be true … Scalar.h" or a read of freed memory. Some TorchSharp members make
/// such a scalar themselves. For example, <c>Tensor.add(Tensor)</c> (and so <c>a + b</c>) is <c>add(b, 1)</c>, and
/// <c>square()</c> is <c>pow(2)</c>.
/// <para>
/// The rule in this code base is that a scalar is one of three things: a constant here, never disposed and so never
/// finalized; a scalar owned by its module, made in the constructor and disposed with it; or a local in a
/// <c>using</c> declaration, disposed only after the call that reads it. <c>NativeLifetimeTests</c> reads our IL and
/// fails on any other kind.
/// </para>
/// </remarks>
public static class ExplicitScalars
{
    // Integer constants have the type of the implicit conversions they replace (Int32), so results stay bit-identical.
    /// <summary>1, as an Int32 scalar (TorchSharp's implicit alpha).</summary>
    public static readonly Scalar One = 1.ToScalar();
    /// <summary>2, as an Int32 scalar (TorchSharp's implicit exponent of <c>square()</c>).</summary>
    public static readonly Scalar Two = 2.ToScalar();
    /// <summary>0.5, as a Double scalar.</summary>
    public static readonly Scalar Half = 0.5.ToScalar();

    /// <summary><paramref name="a"/> + <paramref name="b"/>; the <c>+</c> operator would pass an implicit alpha of 1.</summary>
    public static Tensor Plus(this Tensor a, Tensor b) => a.add(b, One);

    /// <summary><paramref name="t"/>²; <c>square()</c> would pass an implicit exponent of 2.</summary>
    public static Tensor Squared(this Tensor t) => t.pow(Two);

    /// <summary>1 − <paramref name="t"/>, as TorchSharp's <c>1 - t</c> computes it.</summary>
    public static Tensor OneMinus(this Tensor t)
    {
        using var negative = t.negative();
        return negative.add(One, One);
    }

    /// <summary><paramref name="t"/> · <paramref name="factor"/>.</summary>
    public static Tensor Times(this Tensor t, double factor)
    {
        using var scalar = factor.ToScalar();
        return t.mul(scalar);
    }

    /// <summary><paramref name="t"/> / <paramref name="divisor"/>.</summary>
    public static Tensor DividedBy(this Tensor t, double divisor)
    {
        using var scalar = divisor.ToScalar();
        return t.div(scalar);
    }

    /// <summary><paramref name="t"/> − <paramref name="value"/>.</summary>
    public static Tensor Minus(this Tensor t, double value)
    {
        using var scalar = value.ToScalar();
        return t.sub(scalar);
    }

    /// <summary><paramref name="t"/> clamped to [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public static Tensor ClampedTo(this Tensor t, double min, double max)
    {
        using var low = min.ToScalar();
        using var high = max.ToScalar();
        return t.clamp(low, high);
    }

    /// <summary>Where <paramref name="t"/> &gt; <paramref name="value"/>, as a Boolean tensor.</summary>
    public static Tensor Above(this Tensor t, double value)
    {
        using var scalar = value.ToScalar();
        return t.gt(scalar);
    }

    /// <summary>A tensor shaped like <paramref name="t"/>, every element <paramref name="value"/>.</summary>
    public static Tensor FullLike(Tensor t, double value)
    {
        using var scalar = value.ToScalar();
        return full_like(t, scalar);
    }
}
