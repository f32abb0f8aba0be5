using static TorchSharp.torch;

namespace AnomalyAE.Networks;

/// <summary>
/// What training minimizes for a batch: a loss per row, which the trainer averages (or trims, see
/// <c>RobustTraining</c>), plus an optional batch-level penalty added after the average.
/// </summary>
/// <param name="RowLoss">Loss per row, shape [B].</param>
/// <param name="Penalty">Scalar penalty on the batch as a whole (e.g. sparsity of the code), or null.</param>
public sealed record ObjectiveTerms(Tensor RowLoss, Tensor? Penalty);

/// <summary>The outputs of a scoring pass beyond the score, which is always computed.</summary>
[Flags]
public enum NetworkOutputs
{
    /// <summary>The score alone.</summary>
    ScoreOnly = 0,
    /// <summary>The latent code.</summary>
    Latent = 1,
    /// <summary>The reconstruction of the input.</summary>
    Reconstruction = 2,
    /// <summary>Each feature's share of the reconstruction error.</summary>
    Contributions = 4,
    /// <summary>A variational autoencoder's posterior log-variance.</summary>
    LatentLogVariance = 8,
    /// <summary>Every output.</summary>
    All = Latent | Reconstruction | Contributions | LatentLogVariance,
}

/// <summary>What a network computes for a batch at scoring time; outputs not asked for may be null.</summary>
/// <param name="Scores">Anomaly score per row, shape [B].</param>
/// <param name="Latent">Latent code per row, shape [B, k] (a VAE's posterior mean).</param>
/// <param name="Reconstruction">Reconstruction per row, shape [B, d].</param>
/// <param name="LatentLogVariance">A VAE's posterior log-variance, shape [B, k]; null for other networks.</param>
/// <param name="Contributions">Each feature's share of the row's reconstruction error, shape [B, d]; rows sum to 1 (see <see cref="ReconstructionTerms.Shares"/>).</param>
public sealed record InferenceOutputs(Tensor Scores, Tensor? Latent = null, Tensor? Reconstruction = null, Tensor? LatentLogVariance = null, Tensor? Contributions = null);

/// <summary>The names of the tensors a network's ONNX graph computes for a batch: the counterpart of <see cref="InferenceOutputs"/>.</summary>
public sealed record OnnxOutputs(string Score, string Latent, string Reconstruction, string? LatentLogVariance, string Contributions);

/// <summary>
/// A trainable autoencoder: the training loop only needs <see cref="Objective"/>, scoring only <see cref="Infer"/>, ONNX
/// export only <see cref="EmitOnnx"/>. Each network kind builds its layers from its <see cref="NetworkSpec"/>; its spec,
/// its options and this class are the kind's one home (see ARCHITECTURE.md).
/// </summary>
public abstract class AutoencoderNetwork : nn.Module
{
    /// <param name="name">The module's name.</param>
    /// <param name="spec">The spec this network is built from.</param>
    /// <param name="seed">Seed of every random draw of the network: initialization, dropout, noise, sampling.</param>
    protected AutoencoderNetwork(string name, NetworkSpec spec, int seed) : base(name)
    {
        Spec = spec;
        Generator = new Generator((ulong)seed);
    }

    /// <summary>The spec this network was built from.</summary>
    public NetworkSpec Spec { get; }

    /// <summary>Source of all randomness inside the network (initialization, dropout, noise, sampling).</summary>
    protected Generator Generator { get; }

    /// <summary>
    /// The networks trained one after another, each on its own random subsample of the rows (<c>SubsampleFraction</c>):
    /// this network itself, or an ensemble's members.
    /// </summary>
    public virtual IReadOnlyList<AutoencoderNetwork> TrainingParts => [this];

    /// <summary>The training objective's terms. Validation calls it with <paramref name="training"/> false: no corruption.</summary>
    public abstract ObjectiveTerms Objective(Tensor batch, int epoch, bool training);

    /// <summary>
    /// The scores of a batch and the <paramref name="wanted"/> outputs; deterministic, called under no_grad in eval mode.
    /// Outputs not wanted may be left null, and need not be computed.
    /// </summary>
    public abstract InferenceOutputs Infer(Tensor batch, NetworkOutputs wanted);

    /// <summary>
    /// Fits the parts of the score that come from the training rows rather than from gradients (reference codes, score
    /// scales), once training is done. <paramref name="rows"/> holds every training row (a uniform sample when training was
    /// streamed); nothing to do by default.
    /// </summary>
    public virtual void FitScore(Tensor rows, int batchSize, int seed)
    {
    }

    /// <summary>
    /// Writes <see cref="Infer"/> as ONNX nodes reading <paramref name="input"/> (a [N, d] float tensor), operation for
    /// operation, with the weights as constants. Networks that cannot be exported keep this default, which throws.
    /// </summary>
    public virtual OnnxOutputs EmitOnnx(OnnxGraph graph, string input) =>
        throw new NotSupportedException($"ONNX export does not support the network {GetType().Name}: it does not override {nameof(EmitOnnx)}.");

    /// <summary>
    /// Called once the weights are final, before the network scores for a <c>ScoringModel</c>: a network may build faster
    /// read-only forms of its layers here (the library's networks build <c>FrozenStack</c>s). Nothing by default.
    /// </summary>
    public virtual void PrepareForScoring()
    {
    }

    /// <summary>Scores of every row, in batches of <paramref name="batchSize"/>, without gradients, in eval mode.</summary>
    public Tensor InferAllScores(Tensor rows, int batchSize) => InBatches(rows, batchSize, batch => [Infer(batch, NetworkOutputs.ScoreOnly).Scores])[0];

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

    /// <summary>Frees the generator with the module.</summary>
    protected override void Dispose(bool disposing)
    {
        if (disposing) Generator.Dispose();
        base.Dispose(disposing);
    }
}
