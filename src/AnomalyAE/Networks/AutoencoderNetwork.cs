using static TorchSharp.torch;

namespace AnomalyAE.Networks;

/// <summary>What a network computes for a batch at scoring time.</summary>
/// <param name="Scores">Anomaly score per row, shape [B].</param>
/// <param name="Latent">Latent code per row, shape [B, k] (a VAE's posterior mean).</param>
/// <param name="Reconstruction">Reconstruction per row, shape [B, d].</param>
/// <param name="LatentLogVariance">A VAE's posterior log-variance, shape [B, k]; null for other networks.</param>
internal sealed record InferenceOutputs(Tensor Scores, Tensor Latent, Tensor Reconstruction, Tensor? LatentLogVariance);

/// <summary>
/// A trainable autoencoder: the training loop only needs <see cref="Objective"/>, scoring only
/// <see cref="Infer"/>. Subclasses build their layers from a <see cref="NetworkSpec"/>.
/// </summary>
internal abstract class AutoencoderNetwork : nn.Module
{
    protected AutoencoderNetwork(string name, NetworkSpec spec, int seed) : base(name)
    {
        Spec = spec;
        Generator = new Generator((ulong)seed);
    }

    public NetworkSpec Spec { get; }

    /// <summary>Source of all randomness inside the network (initialization, dropout, noise, sampling).</summary>
    protected Generator Generator { get; }

    /// <summary>The scalar loss minimized by training. Validation calls it with <paramref name="training"/> false: no corruption.</summary>
    public abstract Tensor Objective(Tensor batch, int epoch, bool training);

    /// <summary>Scores, latent code and reconstruction of a batch; deterministic, called under no_grad in eval mode.</summary>
    public abstract InferenceOutputs Infer(Tensor batch);

    protected override void Dispose(bool disposing)
    {
        if (disposing) Generator.Dispose();
        base.Dispose(disposing);
    }
}
