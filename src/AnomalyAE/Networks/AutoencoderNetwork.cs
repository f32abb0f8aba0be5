using static TorchSharp.torch;

namespace AnomalyAE.Networks;

/// <summary>
/// What training minimizes for a batch: a loss per row, which the trainer averages (or trims, see
/// <c>RobustTraining</c>), plus an optional batch-level penalty added after the average.
/// </summary>
/// <param name="RowLoss">Loss per row, shape [B].</param>
/// <param name="Penalty">Scalar penalty on the batch as a whole (e.g. sparsity of the code), or null.</param>
internal sealed record ObjectiveTerms(Tensor RowLoss, Tensor? Penalty);

/// <summary>What a network computes for a batch at scoring time.</summary>
/// <param name="Scores">Anomaly score per row, shape [B].</param>
/// <param name="Latent">Latent code per row, shape [B, k] (a VAE's posterior mean).</param>
/// <param name="Reconstruction">Reconstruction per row, shape [B, d].</param>
/// <param name="LatentLogVariance">A VAE's posterior log-variance, shape [B, k]; null for other networks.</param>
/// <param name="Contributions">Each feature's share of the row's reconstruction error, shape [B, d]; rows sum to 1 (see <see cref="ReconstructionTerms.Shares"/>).</param>
internal sealed record InferenceOutputs(Tensor Scores, Tensor Latent, Tensor Reconstruction, Tensor? LatentLogVariance, Tensor Contributions);

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

    /// <summary>The training objective's terms. Validation calls it with <paramref name="training"/> false: no corruption.</summary>
    public abstract ObjectiveTerms Objective(Tensor batch, int epoch, bool training);

    /// <summary>Scores, latent code and reconstruction of a batch; deterministic, called under no_grad in eval mode.</summary>
    public abstract InferenceOutputs Infer(Tensor batch);

    /// <summary>
    /// Fits the parts of the score that come from the training rows rather than from gradients (reference codes, score
    /// scales), once training is done. <paramref name="rows"/> holds every training row; nothing to do by default.
    /// </summary>
    public virtual void FitScore(Tensor rows, int batchSize, int seed)
    {
    }

    /// <summary>Scores of every row, in batches of <paramref name="batchSize"/>, without gradients, in eval mode.</summary>
    public Tensor InferAllScores(Tensor rows, int batchSize) => InBatches(rows, batchSize, batch => [Infer(batch).Scores])[0];

    /// <summary>
    /// <paramref name="perBatch"/> over every row in batches of <paramref name="batchSize"/>, without gradients in eval mode;
    /// each of its outputs concatenated over the batches. A batch's other tensors are freed before the next one.
    /// </summary>
    protected Tensor[] InBatches(Tensor rows, int batchSize, Func<Tensor, Tensor[]> perBatch)
    {
        eval();
        using var noGrad = no_grad();
        List<Tensor>[]? parts = null;
        for (long start = 0; start < rows.shape[0]; start += batchSize)
        {
            using var scope = NewDisposeScope();
            var outputs = perBatch(rows.narrow(0, start, Math.Min(batchSize, rows.shape[0] - start)));
            parts ??= [.. outputs.Select(_ => new List<Tensor>())];
            for (int i = 0; i < outputs.Length; i++) parts[i].Add(outputs[i].MoveToOuterDisposeScope());
        }
        return [.. parts!.Select(p => cat(p, 0))];
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) Generator.Dispose();
        base.Dispose(disposing);
    }
}
