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
    private readonly AutoencoderSpec _spec;

    public DenseAutoencoder(AutoencoderSpec spec, int seed) : base(nameof(DenseAutoencoder), spec, seed)
    {
        _spec = spec;
        encoder = Layers.Dense(spec.EncoderWidths, spec, Generator, spec.LatentActivation);
        decoder = Layers.Dense(spec.DecoderWidths, spec, Generator, AutoencoderActivation.Identity);
        RegisterComponents();
        Layers.InitializeLinearLayers(this, Generator);
    }

    public override Tensor Objective(Tensor batch, int epoch, bool training)
    {
        using var input = training ? Corrupt(batch) : batch.alias();
        using var latent = encoder.call(input);
        using var logits = decoder.call(latent);
        var loss = ReconstructionTerms.MeanLoss(_spec.Loss, logits, batch, _spec.OutputActivation);
        if (_spec.Sparsity == SparsityPenalty.None) return loss;
        using var penalty = SparsityTerm(latent);
        using (loss) return loss + _spec.SparsityWeight * penalty;
    }

    public override InferenceOutputs Infer(Tensor batch)
    {
        var latent = encoder.call(batch);
        using var logits = decoder.call(latent);
        var scores = ReconstructionTerms.RowError(_spec.ErrorMetric, logits, batch, _spec.OutputActivation);
        var reconstruction = ReconstructionTerms.Output(logits, _spec.OutputActivation);
        return new InferenceOutputs(scores, latent, reconstruction, null);
    }

    private Tensor Corrupt(Tensor batch) => _spec.Noise switch
    {
        InputNoise.None => batch.alias(),
        InputNoise.Gaussian => batch + randn(batch.shape, generator: Generator) * _spec.NoiseLevel,
        InputNoise.Masking => batch * bernoulli(full_like(batch, 1 - _spec.NoiseLevel), Generator),
        _ => throw new InvalidOperationException($"Unknown noise {_spec.Noise}."),
    };

    private Tensor SparsityTerm(Tensor latent)
    {
        if (_spec.Sparsity == SparsityPenalty.L1) return latent.abs().sum([1]).mean();
        // KL(ρ ‖ ρ̂_j) summed over latent units, ρ̂_j = unit j's mean activation over the batch.
        double rho = _spec.SparsityTarget;
        var rhoHat = latent.mean([0]).clamp(1e-6, 1 - 1e-6);
        return (rho * (rho / rhoHat).log() + (1 - rho) * ((1 - rho) / (1 - rhoHat)).log()).sum();
    }
}
