using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace AnomalyAE.Networks;

/// <summary>
/// Dense encoder d → hidden… → k and mirrored decoder; sparse with a latent penalty, denoising with
/// input corruption during training.
/// </summary>
internal sealed class DenseAutoencoder : AutoencoderNetwork
{
    private readonly Sequential encoder;
    private readonly Sequential decoder;
    private readonly LatentNeighbors? neighbors;
    private readonly ResidualScale? residuals;
    private readonly AutoencoderSpec _spec;
    // The stacks' scoring forms, once the weights are final (PrepareForScoring); plain fields, not saved.
    private FrozenStack? _scoringEncoder, _scoringDecoder;

    public DenseAutoencoder(AutoencoderSpec spec, int seed) : base(nameof(DenseAutoencoder), spec, seed)
    {
        _spec = spec;
        encoder = Layers.Dense(spec.EncoderWidths, spec, Generator, spec.LatentActivation);
        decoder = Layers.Dense(spec.DecoderWidths, spec, Generator, AutoencoderActivation.Identity);
        if (spec.ScoreKind != AutoencoderScoreKind.ReconstructionError) neighbors = new LatentNeighbors(spec.ReferenceRows, spec.LatentDimension);
        if (spec.ErrorMetric == ReconstructionErrorMetric.StandardizedSquaredError) residuals = new ResidualScale(spec.InputDimension);
        RegisterComponents();
        Layers.InitializeLinearLayers(this, Generator);
    }

    public override ObjectiveTerms Objective(Tensor batch, int epoch, bool training)
    {
        var input = training ? Corrupt(batch) : batch;
        var latent = encoder.call(input);
        var logits = decoder.call(latent);
        var rowLoss = ReconstructionTerms.ElementLoss(_spec.Loss, logits, batch, _spec.OutputActivation).mean([1]);
        return new ObjectiveTerms(rowLoss, _spec.Sparsity == SparsityPenalty.None ? null : SparsityTerm(latent).Times(_spec.SparsityWeight));
    }

    public override void PrepareForScoring()
    {
        _scoringEncoder ??= FrozenStack.Of(encoder);
        _scoringDecoder ??= FrozenStack.Of(decoder);
    }

    public override InferenceOutputs Infer(Tensor batch, NetworkOutputs wanted)
    {
        var latent = _scoringEncoder?.Forward(batch) ?? encoder.call(batch);
        var logits = _scoringDecoder?.Forward(latent) ?? decoder.call(latent);
        bool elementwise = wanted.HasFlag(NetworkOutputs.Reconstruction) || wanted.HasFlag(NetworkOutputs.Contributions);
        var elements = ElementError(logits, batch, inPlace: !elementwise);   // in place when the score alone is read
        var error = elements.mean([1]);
        var scores = neighbors is null ? error : neighbors.Score(_spec.ScoreKind, error, latent);
        return new InferenceOutputs(scores,
            Latent: latent,
            Reconstruction: wanted.HasFlag(NetworkOutputs.Reconstruction) ? ReconstructionTerms.Output(logits, _spec.OutputActivation) : null,
            // Shares of the reconstruction error by the score's metric (for latent-neighbour scores: of its reconstruction part).
            Contributions: wanted.HasFlag(NetworkOutputs.Contributions) ? ReconstructionTerms.Shares(elements) : null);
    }

    public override OnnxOutputs EmitOnnx(OnnxGraph g, string x)
    {
        var latent = g.Sequence(encoder, x);
        var logits = g.Sequence(decoder, latent);
        var elements = residuals is not null
            ? residuals.EmitSquared(g, ReconstructionTerms.EmitOutput(g, logits, _spec.OutputActivation), x)
            : ReconstructionTerms.EmitElementError(g, _spec.ErrorMetric, logits, x, _spec.OutputActivation);
        var error = g.Reduce("ReduceMean", elements, 1);
        var score = neighbors is null ? error : neighbors.EmitScore(g, _spec.ScoreKind, error, latent);
        return new OnnxOutputs(score, latent, ReconstructionTerms.EmitOutput(g, logits, _spec.OutputActivation), null,
            ReconstructionTerms.EmitShares(g, elements, _spec.InputDimension));
    }

    public override void FitScore(Tensor rows, int batchSize, int seed)
    {
        if (residuals is not null)
        {
            using var residualScope = NewDisposeScope();
            residuals.Fit(InBatches(rows, batchSize, batch => [ReconstructionTerms.Output(decoder.call(encoder.call(batch)), _spec.OutputActivation) - batch])[0]);
        }
        if (neighbors is null) return;
        using var scope = NewDisposeScope();
        // Infer scores by reconstruction error alone until the neighbours are fitted: fit them on the plain errors.
        var (latents, errors) = InferErrors(rows, batchSize);
        var order = Enumerable.Range(0, (int)rows.shape[0]).Select(i => (long)i).ToArray();
        new Random(seed).Shuffle(order);
        var reference = order[..Math.Min(_spec.ReferenceRows, order.Length)];
        Array.Sort(reference);
        neighbors.Fit(latents, errors, reference);
    }

    private (Tensor Latent, Tensor Errors) InferErrors(Tensor rows, int batchSize)
    {
        var outputs = InBatches(rows, batchSize, batch =>
        {
            var latent = encoder.call(batch);
            return [latent, ElementError(decoder.call(latent), batch, inPlace: true).mean([1])];
        });
        return (outputs[0], outputs[1]);
    }

    /// <summary>
    /// The score metric's element-wise error, shape [B, d], in units of the fitted residual scales for
    /// <see cref="ReconstructionErrorMetric.StandardizedSquaredError"/>; <paramref name="inPlace"/> overwrites
    /// <paramref name="logits"/> where the metric allows (for a score that needs neither logits nor reconstruction after).
    /// </summary>
    private Tensor ElementError(Tensor logits, Tensor batch, bool inPlace) =>
        residuals is not null ? residuals.Squared(ReconstructionTerms.Output(logits, _spec.OutputActivation), batch, inPlace)
        : inPlace ? ReconstructionTerms.ElementErrorInPlace(_spec.ErrorMetric, logits, batch, _spec.OutputActivation)
        : ReconstructionTerms.ElementError(_spec.ErrorMetric, logits, batch, _spec.OutputActivation);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _scoringEncoder?.Dispose();
            _scoringDecoder?.Dispose();
        }
        base.Dispose(disposing);
    }

    private Tensor Corrupt(Tensor batch) => _spec.Noise switch
    {
        InputNoise.None => batch,
        InputNoise.Gaussian => batch.Plus(randn(batch.shape, generator: Generator).Times(_spec.NoiseLevel)),
        InputNoise.Masking => batch * bernoulli(ExplicitScalars.FullLike(batch, 1 - _spec.NoiseLevel), Generator),
        _ => throw new InvalidOperationException($"Unknown noise {_spec.Noise}."),
    };

    private Tensor SparsityTerm(Tensor latent)
    {
        if (_spec.Sparsity == SparsityPenalty.L1) return latent.abs().sum([1]).mean();
        // KL(ρ ‖ ρ̂_j) summed over latent units, ρ̂_j = unit j's mean activation over the batch.
        using var rho = _spec.SparsityTarget.ToScalar();
        using var rest = (1 - _spec.SparsityTarget).ToScalar();
        var rhoHat = latent.mean([0]).ClampedTo(1e-6, 1 - 1e-6);
        return (rho * (rho / rhoHat).log()).Plus(rest * (rest / rhoHat.OneMinus()).log()).sum();
    }
}
