using AnomalyAE.Networks;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace AnomalyAE.Tests.Variants;

// A network kind defined outside the library, as a user would write one: a tied-weights autoencoder, whose decoder is
// its encoder transposed (z = tanh(x·Wᵀ + b), x̂ = z·W + c), with an L2 penalty on the code. Three pieces and one
// registration line (VariantSeamTests): options, spec, network.

/// <summary>The options: the shared ones, plus this kind's own.</summary>
public sealed class TiedAutoencoderOptions : AutoencoderOptionsBase
{
    /// <summary>Weight of the L2 penalty on the code.</summary>
    public double Shrinkage { get; set; } = 1e-3;

    /// <inheritdoc />
    protected override NetworkSpec CreateSpec(int inputDimension, int trainingRows) => new TiedAutoencoderSpec { Shrinkage = Shrinkage };
}

/// <summary>The spec: what the network is built from, saved in model files under its registered name.</summary>
public sealed record TiedAutoencoderSpec : NetworkSpec
{
    /// <summary>See <see cref="TiedAutoencoderOptions.Shrinkage"/>.</summary>
    public double Shrinkage { get; init; }

    /// <inheritdoc />
    public override AutoencoderNetwork CreateNetwork(int seed) => new TiedAutoencoder(this, seed);

    /// <inheritdoc />
    public override bool ScoreIsMeanSquaredError => true;

    /// <inheritdoc />
    public override void Validate(Rules rules)
    {
        base.Validate(rules);
        rules.Range(nameof(Shrinkage), Shrinkage, 0, 10);
    }

    /// <inheritdoc />
    public override (double Min, double Max) WeightValues()
    {
        double exact = (double)InputDimension * LatentDimension + LatentDimension + InputDimension;
        return (exact, exact + 64);
    }
}

/// <summary>The network: training objective, scoring, ONNX nodes.</summary>
public sealed class TiedAutoencoder : AutoencoderNetwork
{
    private readonly Parameter weight;          // [k, d]
    private readonly Parameter code_bias;       // [k]
    private readonly Parameter output_bias;     // [d]
    private readonly TiedAutoencoderSpec _spec;

    public TiedAutoencoder(TiedAutoencoderSpec spec, int seed) : base(nameof(TiedAutoencoder), spec, seed)
    {
        _spec = spec;
        double bound = 1.0 / Math.Sqrt(spec.InputDimension);
        using (var draw = rand([spec.LatentDimension, spec.InputDimension], generator: Generator))
        using (var stretched = draw.Times(2 * bound))
            weight = nn.Parameter(stretched.Minus(bound));
        code_bias = nn.Parameter(zeros(spec.LatentDimension));
        output_bias = nn.Parameter(zeros(spec.InputDimension));
        RegisterComponents();
    }

    public override ObjectiveTerms Objective(Tensor batch, int epoch, bool training)
    {
        var (code, reconstruction) = Forward(batch);
        var rowLoss = (reconstruction - batch).Squared().mean([1]);
        return new ObjectiveTerms(rowLoss, code.Squared().mean().Times(_spec.Shrinkage));
    }

    public override InferenceOutputs Infer(Tensor batch, NetworkOutputs wanted)
    {
        var (code, reconstruction) = Forward(batch);
        var elements = (reconstruction - batch).Squared();
        return new InferenceOutputs(elements.mean([1]), Latent: code, Reconstruction: reconstruction,
            Contributions: wanted.HasFlag(NetworkOutputs.Contributions) ? ReconstructionTerms.Shares(elements) : null);
    }

    public override OnnxOutputs EmitOnnx(OnnxGraph g, string x)
    {
        var w = g.Constant(weight);
        var code = g.Unary("Tanh", g.Gemm(x, w, g.Constant(code_bias)));
        var reconstruction = g.Add(g.Node("MatMul", [code, w]), g.Constant(output_bias));
        var elements = g.Square(g.Sub(reconstruction, x));
        return new OnnxOutputs(g.Reduce("ReduceMean", elements, 1), code, reconstruction, null, ReconstructionTerms.EmitShares(g, elements, _spec.InputDimension));
    }

    private (Tensor Code, Tensor Reconstruction) Forward(Tensor batch)
    {
        var code = batch.matmul(weight.t()).Plus(code_bias).tanh();
        return (code, code.matmul(weight).Plus(output_bias));
    }
}
