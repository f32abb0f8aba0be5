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
        Contributions = new float[capacity * inputDimension];
    }

    public int Count { get; set; }
    public float[] Scores { get; }
    public float[] Latent { get; }
    public float[] Reconstruction { get; }
    public float[] LatentLogVariance { get; }
    public float[] Contributions { get; }
}
