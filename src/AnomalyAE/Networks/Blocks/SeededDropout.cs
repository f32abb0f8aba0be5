using TorchSharp;
using static TorchSharp.torch;

namespace AnomalyAE.Networks;

/// <summary>Dropout drawing its mask from a seeded generator (nn.Dropout uses the process-wide one).</summary>
internal sealed class SeededDropout : nn.Module<Tensor, Tensor>
{
    private readonly double _rate;
    private readonly Generator _generator;
    // The keep probability 1 − rate, which scales the kept activations; owned by this module (see ExplicitScalars).
    private readonly Scalar _keep;

    public SeededDropout(double rate, Generator generator) : base(nameof(SeededDropout))
    {
        _rate = rate;
        _generator = generator;
        _keep = (1 - rate).ToScalar();
    }

    public override Tensor forward(Tensor input)
    {
        if (!training || _rate == 0) return input.alias();
        using var keep = full_like(input, _keep);
        using var mask = bernoulli(keep, _generator);
        return (input * mask).div(_keep);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) _keep.Dispose();
        base.Dispose(disposing);
    }
}
