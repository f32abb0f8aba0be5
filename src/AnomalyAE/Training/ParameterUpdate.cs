using AnomalyAE.Networks;
using TorchSharp;
using static TorchSharp.torch;

namespace AnomalyAE.Training;

/// <summary>
/// Adam, AdamW and SGD with momentum, with the same arithmetic as PyTorch's (and TorchSharp's) optimizers.
/// </summary>
/// <remarks>
/// Why not <c>torch.optim</c>: TorchSharp 0.107's optimizers pass temporary <see cref="Scalar"/>s (implicit conversions
/// from double) straight into native calls. Nothing keeps such a temporary alive during the call, so when another
/// thread triggers a garbage collection its finalizer can free the native scalar mid-call; seen here as
/// "Expected false to be true … Scalar.h" when two models trained at once. Here every scalar is disposed explicitly,
/// after the call that uses it.
/// </remarks>
internal sealed class ParameterUpdate : IDisposable
{
    private const double Beta1Value = 0.9, Beta2Value = 0.999, EpsilonValue = 1e-8, Momentum = 0.9;

    private readonly AutoencoderOptimizer _kind;
    private readonly double _learningRate;
    private readonly double _weightDecay;
    private readonly IReadOnlyList<Tensor> _parameters;
    private readonly List<Tensor> _first = [];   // Adam: running mean of gradients; SGD: momentum buffer
    private readonly List<Tensor> _second = [];  // Adam: running mean of squared gradients
    private long _step;

    public ParameterUpdate(AutoencoderOptimizer kind, IEnumerable<Tensor> parameters, double learningRate, double weightDecay)
    {
        if (!Enum.IsDefined(kind)) throw new ArgumentOutOfRangeException(nameof(kind), kind, null);
        _kind = kind;
        _parameters = parameters.ToList();
        _learningRate = learningRate;
        _weightDecay = weightDecay;
        foreach (var p in _parameters)
        {
            _first.Add(zeros_like(p).DetachFromDisposeScope());
            if (kind != AutoencoderOptimizer.Sgd) _second.Add(zeros_like(p).DetachFromDisposeScope());
        }
    }

    public void ZeroGradients()
    {
        foreach (var p in _parameters) p.grad?.zero_();
    }

    /// <summary>One update of every parameter from its gradient.</summary>
    public void Step()
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        _step++;
        using var scalars = new StepScalars(_kind, _step, _learningRate, _weightDecay);
        for (int i = 0; i < _parameters.Count; i++)
        {
            var parameter = _parameters[i];
            if (parameter.grad is not { } gradient) continue;
            if (_kind == AutoencoderOptimizer.Sgd) StepSgd(parameter, gradient, _first[i], scalars);
            else StepAdam(parameter, gradient, _first[i], _second[i], scalars);
        }
    }

    private void StepAdam(Tensor parameter, Tensor gradient, Tensor mean, Tensor meanSquare, StepScalars s)
    {
        if (_weightDecay != 0)
        {
            if (_kind == AutoencoderOptimizer.AdamW) parameter.mul_(s.Decay);
            else gradient = gradient.add(parameter, s.Decay);
        }
        mean.mul_(s.Beta1).add_(gradient, s.OneMinusBeta1);
        meanSquare.mul_(s.Beta2).addcmul_(gradient, gradient, s.OneMinusBeta2);
        var denominator = meanSquare.sqrt().div_(s.SqrtCorrection2).add_(s.Epsilon, ExplicitScalars.One);
        parameter.addcdiv_(mean, denominator, s.StepSize);
    }

    private void StepSgd(Tensor parameter, Tensor gradient, Tensor velocity, StepScalars s)
    {
        if (_weightDecay != 0) gradient = gradient.add(parameter, s.Decay);
        if (_step == 1) velocity.copy_(gradient);
        else velocity.mul_(s.Beta1).add_(gradient, ExplicitScalars.One);
        parameter.add_(velocity, s.StepSize);
    }

    /// <summary>The scalars of one step, made once and disposed after every parameter is updated.</summary>
    private sealed class StepScalars : IDisposable
    {
        public StepScalars(AutoencoderOptimizer kind, long step, double learningRate, double weightDecay)
        {
            bool sgd = kind == AutoencoderOptimizer.Sgd;
            double correction1 = 1 - Math.Pow(Beta1Value, step), correction2 = 1 - Math.Pow(Beta2Value, step);
            Beta1 = (sgd ? Momentum : Beta1Value).ToScalar();
            OneMinusBeta1 = (1 - Beta1Value).ToScalar();
            Beta2 = Beta2Value.ToScalar();
            OneMinusBeta2 = (1 - Beta2Value).ToScalar();
            SqrtCorrection2 = Math.Sqrt(correction2).ToScalar();
            Epsilon = EpsilonValue.ToScalar();
            StepSize = (sgd ? -learningRate : -learningRate / correction1).ToScalar();
            Decay = (kind == AutoencoderOptimizer.AdamW ? 1 - learningRate * weightDecay : weightDecay).ToScalar();
        }

        /// <summary>β₁ for Adam, the momentum for SGD.</summary>
        public Scalar Beta1 { get; }
        public Scalar OneMinusBeta1 { get; }
        public Scalar Beta2 { get; }
        public Scalar OneMinusBeta2 { get; }
        public Scalar SqrtCorrection2 { get; }
        public Scalar Epsilon { get; }
        public Scalar StepSize { get; }
        /// <summary>AdamW: the factor 1 − lr·wd on the weights; Adam and SGD: the L2 coefficient on the gradient.</summary>
        public Scalar Decay { get; }

        public void Dispose()
        {
            foreach (var s in new[] { Beta1, OneMinusBeta1, Beta2, OneMinusBeta2, SqrtCorrection2, Epsilon, StepSize, Decay }) s.Dispose();
        }
    }

    public void Dispose()
    {
        foreach (var t in _first.Concat(_second)) t.Dispose();
    }
}
