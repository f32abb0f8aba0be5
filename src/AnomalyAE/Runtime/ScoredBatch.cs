namespace AnomalyAE.Runtime;

/// <summary>Per-row results of scoring a batch, in row-major managed buffers (the per-row vectors allocated when first used).</summary>
internal sealed class ScoredBatch(int capacity, int inputDimension, int latentDimension)
{
    // Allocated on first use: a scorer that reads only scores never holds the rest.
    private float[]? _latent, _reconstruction, _latentLogVariance, _contributions;

    public int Count { get; set; }
    public float[] Scores { get; } = new float[capacity];
    public float[] Latent => _latent ??= new float[capacity * latentDimension];
    public float[] Reconstruction => _reconstruction ??= new float[capacity * inputDimension];
    public float[] LatentLogVariance => _latentLogVariance ??= new float[capacity * latentDimension];
    public float[] Contributions => _contributions ??= new float[capacity * inputDimension];
}
