using AnomalyAE.Networks;
using AnomalyAE.Data;
using static TorchSharp.torch;

namespace AnomalyAE.Runtime;

/// <summary>
/// A trained network shared by transformers and their cursors. Reference counted: the native weights are
/// released when the last transformer is disposed and the last cursor using it is closed, so disposing a
/// transformer while another thread scores never frees memory under it.
/// </summary>
internal sealed class ScoringModel
{
    private readonly ReferenceCount _references;

    /// <summary>Rows per batch when a model file does not say.</summary>
    public const int DefaultBatchSize = 1024;

    // Values held by the managed buffers of one batch (features, scores, codes, reconstructions, contributions), and by the tensors of one
    // forward pass: bounds that keep a batch size or sample count from a model file from allocating gigabytes.
    private const long MaxBatchBufferValues = 1L << 27;
    private const long MaxPassValues = 1L << 27;

    /// <param name="network">The trained network; this model owns it.</param>
    /// <param name="threads">libtorch threads while scoring: at least 1, at most the processor count (larger values are lowered).</param>
    /// <param name="batchSize">Rows per batch, at least 1; lowered when one batch's buffers would exceed 2^27 values.</param>
    public ScoringModel(AutoencoderNetwork network, int threads, int batchSize)
    {
        ArgumentNullException.ThrowIfNull(network);
        // A thread count below 1 makes libtorch abort the process ("Expected positive number of threads"): never pass one on.
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        Network = network;
        _references = new(network.Dispose);
        Threads = Math.Min(threads, Environment.ProcessorCount);
        long valuesPerRow = 3L * network.Spec.InputDimension + 2L * network.Spec.LatentDimension + 2;
        BatchSize = (int)Math.Clamp(MaxBatchBufferValues / valuesPerRow, 1, batchSize);
        RowsPerPass = (int)Math.Clamp(MaxPassValues / Math.Max(1, network.Spec.PassValuesPerRow()), 1, BatchSize);
        Network.eval();
        Network.PrepareForScoring();
    }

    /// <summary>Why a released model cannot score, and the usual way users get there.</summary>
    public const string DisposedMessage =
        "The autoencoder transformer was disposed and its native weights released. Note that a PredictionEngine created " +
        "with the default PredictionEngineOptions.OwnsTransformer = true disposes its model when it is disposed; pass " +
        "new PredictionEngineOptions { OwnsTransformer = false } to keep using the model afterwards.";

    public AutoencoderNetwork Network { get; }
    public int Threads { get; }
    public int BatchSize { get; }
    /// <summary>Rows per forward pass: the batch size, unless the network's tensors per row (Monte-Carlo samples, reference codes, members) would make one pass too large.</summary>
    public int RowsPerPass { get; }
    public int InputDimension => Network.Spec.InputDimension;
    public int LatentDimension => Network.Spec.LatentDimension;

    /// <summary>Takes a reference; false when the model is already released.</summary>
    public bool TryAcquire() => _references.TryAcquire();

    /// <summary>Gives a reference back; the last one frees the native weights.</summary>
    public void Release() => _references.Release();

    /// <summary>
    /// Scores <paramref name="rows"/> rows laid out row-major in <paramref name="features"/>, and copies the scores and the
    /// <paramref name="wanted"/> outputs into <paramref name="output"/>; other outputs are neither computed nor copied. The
    /// hot path of every scorer: no closure, one dispose scope per forward pass.
    /// </summary>
    public void Score(float[] features, int rows, ScoredBatch output, NetworkOutputs wanted = NetworkOutputs.All)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(rows, output.Scores.Length);
        using var use = Use();
        using var noGrad = no_grad();
        for (int start = 0; start < rows; start += RowsPerPass)
        {
            int count = Math.Min(RowsPerPass, rows - start);
            using var pass = NewDisposeScope();   // each pass's tensors are freed before the next
            var result = Network.Infer(TensorBuffers.FromRows(features.AsSpan(start * InputDimension), count, InputDimension), wanted);
            TensorBuffers.CopyTo(result.Scores, output.Scores.AsSpan(start));
            if (wanted.HasFlag(NetworkOutputs.Latent) && result.Latent is { } latent) TensorBuffers.CopyTo(latent, output.Latent.AsSpan(start * LatentDimension));
            if (wanted.HasFlag(NetworkOutputs.Reconstruction) && result.Reconstruction is { } reconstruction) TensorBuffers.CopyTo(reconstruction, output.Reconstruction.AsSpan(start * InputDimension));
            if (wanted.HasFlag(NetworkOutputs.LatentLogVariance) && result.LatentLogVariance is { } logVariance) TensorBuffers.CopyTo(logVariance, output.LatentLogVariance.AsSpan(start * LatentDimension));
            if (wanted.HasFlag(NetworkOutputs.Contributions) && result.Contributions is { } contributions) TensorBuffers.CopyTo(contributions, output.Contributions.AsSpan(start * InputDimension));
        }
        output.Count = rows;
    }

    /// <summary>
    /// Runs inference code against the network under no_grad, disposing every tensor made inside (see <see cref="Use"/>).
    /// </summary>
    public T Run<T>(Func<AutoencoderNetwork, T> inference)
    {
        using var use = Use();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        return inference(Network);
    }

    /// <summary>
    /// One use of the network: holds a reference for its duration (so a concurrent Dispose cannot free the weights
    /// underneath) and sets this thread's torch thread count.
    /// </summary>
    private InUse Use()
    {
        if (!TryAcquire()) throw new ObjectDisposedException(nameof(ScoringModel), DisposedMessage);
        TorchRuntime.UseThreads(Threads);
        return new InUse(this);
    }

    private readonly struct InUse(ScoringModel model) : IDisposable
    {
        public void Dispose() => model.Release();
    }

    /// <summary>Scores of every row of a matrix, in batches.</summary>
    public float[] ScoreAll(FeatureMatrix matrix)
    {
        var scores = new float[matrix.Rows];
        var batch = new ScoredBatch(BatchSize, InputDimension, LatentDimension);
        var buffer = new float[BatchSize * InputDimension];
        for (int start = 0; start < matrix.Rows; start += BatchSize)
        {
            int count = Math.Min(BatchSize, matrix.Rows - start);
            Array.Copy(matrix.Values, (long)start * InputDimension, buffer, 0, (long)count * InputDimension);
            Score(buffer, count, batch, NetworkOutputs.ScoreOnly);
            Array.Copy(batch.Scores, 0, scores, start, count);
        }
        return scores;
    }
}
