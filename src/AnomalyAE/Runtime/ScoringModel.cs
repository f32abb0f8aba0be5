using AnomalyAE.Networks;
using AnomalyAE.Training;
using static TorchSharp.torch;

namespace AnomalyAE.Runtime;

/// <summary>Per-row results of scoring a batch, in row-major managed buffers.</summary>
internal sealed class ScoredBatch
{
    public ScoredBatch(int capacity, int inputDimension, int latentDimension)
    {
        Scores = new float[capacity];
        Latent = new float[capacity * latentDimension];
        Reconstruction = new float[capacity * inputDimension];
        LatentLogVariance = new float[capacity * latentDimension];
    }

    public int Count { get; set; }
    public float[] Scores { get; }
    public float[] Latent { get; }
    public float[] Reconstruction { get; }
    public float[] LatentLogVariance { get; }
}

/// <summary>
/// A trained network shared by transformers and their cursors. Reference counted: the native weights are
/// released when the last transformer is disposed and the last cursor using it is closed, so disposing a
/// transformer while another thread scores never frees memory under it.
/// </summary>
internal sealed class ScoringModel
{
    private readonly object _gate = new();
    private int _references = 1;

    public ScoringModel(AutoencoderNetwork network, int threads, int batchSize)
    {
        Network = network;
        Threads = threads;
        BatchSize = batchSize;
        Network.eval();
    }

    /// <summary>Why a released model cannot score, and the usual way users get there.</summary>
    public const string DisposedMessage =
        "The autoencoder transformer was disposed and its native weights released. Note that a PredictionEngine created " +
        "with the default PredictionEngineOptions.OwnsTransformer = true disposes its model when it is disposed; pass " +
        "new PredictionEngineOptions { OwnsTransformer = false } to keep using the model afterwards.";

    public AutoencoderNetwork Network { get; }
    public int Threads { get; }
    public int BatchSize { get; }
    public int InputDimension => Network.Spec.InputDimension;
    public int LatentDimension => Network.Spec.LatentDimension;

    /// <summary>Takes a reference; false when the model is already released.</summary>
    public bool TryAcquire()
    {
        lock (_gate)
        {
            if (_references == 0) return false;
            _references++;
            return true;
        }
    }

    public void Release()
    {
        lock (_gate)
        {
            if (_references == 0) return;
            if (--_references > 0) return;
        }
        Network.Dispose();
    }

    /// <summary>Scores <paramref name="rows"/> rows laid out row-major in <paramref name="features"/>.</summary>
    public void Score(float[] features, int rows, ScoredBatch output) => Run(network =>
    {
        var result = network.Infer(TensorBuffers.FromRows(features, rows, InputDimension));
        TensorBuffers.CopyTo(result.Scores, output.Scores);
        TensorBuffers.CopyTo(result.Latent, output.Latent);
        TensorBuffers.CopyTo(result.Reconstruction, output.Reconstruction);
        if (result.LatentLogVariance is { } logVariance) TensorBuffers.CopyTo(logVariance, output.LatentLogVariance);
        output.Count = rows;
        return rows;
    });

    /// <summary>
    /// Runs inference code against the network: holds a reference for the duration (so a concurrent Dispose cannot free
    /// the weights underneath), sets this thread's torch thread count, and disposes every tensor made inside.
    /// </summary>
    public T Run<T>(Func<AutoencoderNetwork, T> inference)
    {
        if (!TryAcquire()) throw new ObjectDisposedException(nameof(ScoringModel), DisposedMessage);
        try
        {
            TorchRuntime.UseThreads(Threads);
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            return inference(Network);
        }
        finally
        {
            Release();
        }
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
            Score(buffer, count, batch);
            Array.Copy(batch.Scores, 0, scores, start, count);
        }
        return scores;
    }
}
