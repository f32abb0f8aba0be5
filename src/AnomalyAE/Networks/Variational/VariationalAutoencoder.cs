using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace AnomalyAE.Networks;

/// <summary>
/// Encoder d → hidden… → (μ, log σ²) ∈ R^k, reparameterized sample z = μ + σ·ε, mirrored decoder. Loss per row:
/// reconstruction summed over features + β·KL(q(z|x) ‖ N(0, I)).
/// </summary>
internal sealed class VariationalAutoencoder : AutoencoderNetwork, ILatentDecoder
{
    // exp(±10) keeps σ² within [4.5e-5, 2.2e4]: wide enough for any sensible posterior, far from overflow.
    private const double LogVarianceBound = 10;

    private readonly Sequential encoder;
    private readonly Linear mean;
    private readonly Linear logVariance;
    private readonly Sequential decoder;
    private readonly Tensor score_noise;
    private readonly VariationalAutoencoderSpec _spec;
    // The layers' scoring forms, once the weights are final (PrepareForScoring); plain fields, not saved.
    private FrozenStack? _scoringEncoder, _scoringMean, _scoringLogVariance, _scoringDecoder;

    public VariationalAutoencoder(VariationalAutoencoderSpec spec, int seed) : base(nameof(VariationalAutoencoder), spec, seed)
    {
        _spec = spec;
        int[] hidden = [spec.InputDimension, .. spec.HiddenLayers];
        encoder = Layers.Dense(hidden, spec, Generator, spec.Activation);
        mean = nn.Linear(hidden[^1], spec.LatentDimension);
        logVariance = nn.Linear(hidden[^1], spec.LatentDimension);
        decoder = Layers.Dense(spec.DecoderWidths, spec, Generator, AutoencoderActivation.Identity);
        // Fixed Monte-Carlo draws for the reconstruction-probability score; RegisterComponents makes this tensor field a
        // buffer, so it is saved with the weights.
        score_noise = randn([spec.ScoreSamples, spec.LatentDimension], generator: Generator);
        RegisterComponents();
        Layers.InitializeLinearLayers(this, Generator);
    }

    public override ObjectiveTerms Objective(Tensor batch, int epoch, bool training)
    {
        var (mu, logVar) = Encode(batch);
        var z = training ? mu.Plus(logVar.mul(ExplicitScalars.Half).exp() * randn(mu.shape, generator: Generator)) : mu;
        var reconstruction = ReconstructionTerms.ElementLoss(_spec.Loss, decoder.call(z), batch, _spec.OutputActivation).sum([1]);
        return new ObjectiveTerms(reconstruction.Plus(KullbackLeibler(mu, logVar).Times(BetaAt(epoch))), null);
    }

    public override void PrepareForScoring()
    {
        _scoringEncoder ??= FrozenStack.Of(encoder);
        _scoringMean ??= FrozenStack.Of(mean);
        _scoringLogVariance ??= FrozenStack.Of(logVariance);
        _scoringDecoder ??= FrozenStack.Of(decoder);
    }

    public override InferenceOutputs Infer(Tensor batch, NetworkOutputs wanted)
    {
        var (mu, logVar) = EncodeForScoring(batch);
        var logits = DecodeLogits(mu);
        // The reconstruction term at μ, per feature: the score for ReconstructionError, and what the contributions divide
        // for every score kind (the KL term and the Monte-Carlo draws have no per-feature split).
        var elements = ReconstructionTerms.ElementLoss(_spec.Loss, logits, batch, _spec.OutputActivation);
        var scores = _spec.ScoreKind switch
        {
            VariationalScoreKind.ReconstructionError => elements.mean([1]),
            VariationalScoreKind.NegativeElbo => elements.sum([1]).Plus(KullbackLeibler(mu, logVar)),
            VariationalScoreKind.ReconstructionProbability => MonteCarloReconstructionLoss(batch, mu, logVar),
            _ => throw new InvalidOperationException($"Unknown score kind {_spec.ScoreKind}."),
        };
        return new InferenceOutputs(scores,
            Latent: mu,
            Reconstruction: wanted.HasFlag(NetworkOutputs.Reconstruction) ? ReconstructionTerms.Output(logits, _spec.OutputActivation) : null,
            LatentLogVariance: logVar,
            Contributions: wanted.HasFlag(NetworkOutputs.Contributions) ? ReconstructionTerms.Shares(elements) : null);
    }

    public override OnnxOutputs EmitOnnx(OnnxGraph g, string x)
    {
        var hidden = g.Sequence(encoder, x);
        var mu = g.Linear(mean, hidden);
        var logVar = g.Clip(g.Linear(logVariance, hidden), -(float)LogVarianceBound, (float)LogVarianceBound);
        var logits = g.Sequence(decoder, mu);
        var elements = ReconstructionTerms.EmitElementLoss(g, _spec.Loss, logits, x, _spec.OutputActivation);
        var score = _spec.ScoreKind switch
        {
            VariationalScoreKind.ReconstructionError => g.Reduce("ReduceMean", elements, 1),
            VariationalScoreKind.NegativeElbo => g.Add(g.Reduce("ReduceSum", elements, 1), EmitKullbackLeibler(g, mu, logVar)),
            VariationalScoreKind.ReconstructionProbability => EmitMonteCarloReconstructionLoss(g, x, mu, logVar),
            _ => throw new NotSupportedException($"ONNX export does not support the score kind {_spec.ScoreKind}."),
        };
        return new OnnxOutputs(score, mu, ReconstructionTerms.EmitOutput(g, logits, _spec.OutputActivation), logVar,
            ReconstructionTerms.EmitShares(g, elements, _spec.InputDimension));
    }

    /// <summary>Decoder output (after the output activation) for latent points, shape [N, k] → [N, d].</summary>
    public Tensor Decode(Tensor latent) => ReconstructionTerms.Output(DecodeLogits(latent), _spec.OutputActivation);

    /// <summary>Posterior mean μ of each row.</summary>
    public Tensor EncodeMean(Tensor batch) => EncodeForScoring(batch).Mean;

    // Training: the modules (gradients flow through them).
    private (Tensor Mean, Tensor LogVariance) Encode(Tensor batch)
    {
        var hidden = encoder.call(batch);
        return (mean.call(hidden), logVariance.call(hidden).ClampedTo(-LogVarianceBound, LogVarianceBound));
    }

    // Scoring: the frozen forms once prepared, the modules before (FitScore).
    private (Tensor Mean, Tensor LogVariance) EncodeForScoring(Tensor batch)
    {
        if (_scoringEncoder is null) return Encode(batch);
        var hidden = _scoringEncoder.Forward(batch);
        return (_scoringMean!.Forward(hidden), _scoringLogVariance!.Forward(hidden).ClampedTo(-LogVarianceBound, LogVarianceBound));
    }

    private Tensor DecodeLogits(Tensor latent) => _scoringDecoder?.Forward(latent) ?? decoder.call(latent);

    private static Tensor KullbackLeibler(Tensor mu, Tensor logVar) =>
        (logVar.add(ExplicitScalars.One, ExplicitScalars.One) - mu.Squared() - logVar.exp()).sum([1]).Times(-0.5);

    private double BetaAt(int epoch) =>
        _spec.KlWarmupEpochs <= 0 ? _spec.Beta : _spec.Beta * Math.Min(1.0, (double)epoch / _spec.KlWarmupEpochs);

    private Tensor MonteCarloReconstructionLoss(Tensor batch, Tensor mu, Tensor logVar)
    {
        // [S, 1, k] draws against [1, B, k] posteriors: every row sees the same ε, so a row's score does not depend on its batch.
        var z = mu.unsqueeze(0).Plus(logVar.mul(ExplicitScalars.Half).exp().unsqueeze(0) * score_noise.unsqueeze(1));
        long samples = z.shape[0], rows = z.shape[1];
        var logits = DecodeLogits(z.reshape(samples * rows, -1));
        var target = batch.unsqueeze(0).expand(samples, rows, -1).reshape(samples * rows, -1);
        var loss = ReconstructionTerms.ElementLoss(_spec.Loss, logits, target, _spec.OutputActivation).sum([1]);
        return loss.reshape(samples, rows).mean([0]);
    }

    // −½ · Σ (1 + log σ² − μ² − σ²)
    private static string EmitKullbackLeibler(OnnxGraph g, string mu, string logVar)
    {
        var inner = g.Sub(g.Sub(g.Add(logVar, g.Scalar(1f)), g.Square(mu)), g.Unary("Exp", logVar));
        return g.Mul(g.Reduce("ReduceSum", inner, 1), g.Scalar(-0.5f));
    }

    // z = μ + σ·ε for the stored draws ε [S, k]: [S, B, k] → decoder → loss summed over features → mean over draws.
    private string EmitMonteCarloReconstructionLoss(OnnxGraph g, string x, string mu, string logVar)
    {
        long samples = score_noise.shape[0], k = score_noise.shape[1];
        var epsilon = g.Constant("score_noise", OnnxGraph.Values(score_noise), samples, 1, k);
        var sigma = g.Unary("Exp", g.Mul(logVar, g.Scalar(0.5f)));
        var z = g.Add(g.Unsqueeze(mu, 0), g.Mul(g.Unsqueeze(sigma, 0), epsilon));
        var logits = g.Reshape(g.Sequence(decoder, g.Reshape(z, -1, k)), samples, -1, _spec.InputDimension);
        var loss = g.Reduce("ReduceSum", ReconstructionTerms.EmitElementLoss(g, _spec.Loss, logits, x, _spec.OutputActivation), 2);
        return g.Reduce("ReduceMean", loss, 0);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
            foreach (var stack in new[] { _scoringEncoder, _scoringMean, _scoringLogVariance, _scoringDecoder }) stack?.Dispose();
        base.Dispose(disposing);
    }
}
