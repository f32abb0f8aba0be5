using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace AnomalyAE.Networks;

/// <summary>
/// Batch normalization over the features of [B, d] rows, as <c>nn.BatchNorm1d(d)</c> with its defaults (momentum 0.1,
/// ε = 1e-5, affine, running statistics). Its parameters and buffers have BatchNorm1d's names, so model files saved with
/// either load into the other. Ours because TorchSharp's increments its batch counter with an implicit scalar
/// (see <see cref="ExplicitScalars"/>).
/// </summary>
internal sealed class BatchNormalization : nn.Module<Tensor, Tensor>
{
    public const double Epsilon = 1e-5;
    private const double Momentum = 0.1;

    // Field names are the state-dict names (RegisterComponents).
    private readonly Parameter weight;
    private readonly Parameter bias;
    private readonly Tensor running_mean;
    private readonly Tensor running_var;
    private readonly Tensor num_batches_tracked;

    public BatchNormalization(long features) : base(nameof(BatchNormalization))
    {
        weight = nn.Parameter(ones(features));
        bias = nn.Parameter(zeros(features));
        running_mean = zeros(features);
        running_var = ones(features);
        num_batches_tracked = tensor(0L);
        RegisterComponents();
    }


    public override Tensor forward(Tensor input)
    {
        if (training)
        {
            using var noGrad = no_grad();
            num_batches_tracked.add_(ExplicitScalars.One, ExplicitScalars.One);
        }
        return nn.functional.batch_norm(input, running_mean, running_var, weight, bias, training, Momentum, Epsilon);
    }

    /// <summary>
    /// The layer at scoring time as y = x · scale + shift per feature: scale = γ / √(running variance + ε), shift = β −
    /// running mean · scale (for <see cref="FrozenStack"/>, which folds it into the linear layer before it). Call it in a
    /// dispose scope.
    /// </summary>
    public (Tensor Scale, Tensor Shift) AsAffine()
    {
        using var epsilon = Epsilon.ToScalar();
        var scale = running_var.add(epsilon, ExplicitScalars.One).rsqrt_().mul_(weight);
        return (scale, bias - running_mean * scale);
    }

    /// <summary>The layer at scoring time (running statistics) as an ONNX node.</summary>
    public string EmitOnnx(OnnxGraph g, string x) =>
        g.Node("BatchNormalization", [x, g.Constant(weight), g.Constant(bias), g.Constant(running_mean), g.Constant(running_var)],
            OnnxAttribute.Float("epsilon", (float)Epsilon));
}
