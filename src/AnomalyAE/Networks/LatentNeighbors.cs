using TorchSharp;
using static TorchSharp.torch;

namespace AnomalyAE.Networks;

/// <summary>
/// The latent-space part of an autoencoder's score: standardized latent codes of a reference sample of training rows,
/// and the robust scales that put the neighbour distance and the reconstruction error on one footing. Everything here is
/// a buffer, filled once after training (<see cref="Fit"/>) and saved with the weights.
/// </summary>
internal sealed class LatentNeighbors : nn.Module
{
    /// <summary>Rows kept as neighbours at most: scoring compares every row with each of them.</summary>
    public const int MaxReferenceRows = 2048;

    /// <summary>The k of the k-th nearest neighbour distance (PyOD's KNN default).</summary>
    public const int Neighbors = 5;

    private readonly Tensor reference;
    private readonly Tensor latent_center;
    private readonly Tensor latent_scale;
    // [error center, error scale, distance center, distance scale]
    private readonly Tensor score_scales;

    public LatentNeighbors(int referenceRows, int latentDimension) : base(nameof(LatentNeighbors))
    {
        reference = zeros(referenceRows, latentDimension);
        latent_center = zeros(latentDimension);
        latent_scale = ones(latentDimension);
        score_scales = tensor(new float[] { 0, 1, 0, 1 });
        RegisterComponents();
    }

    /// <summary>Distance of each code to its k-th nearest reference code, in standardized latent units; shape [B].</summary>
    public Tensor Distance(Tensor latent)
    {
        var standardized = (latent - latent_center) / latent_scale;
        long k = Math.Min(Neighbors, reference.shape[0]);
        // The direct (non-GEMM) kernel: a row's distances, and so its score, do not depend on how many rows share its batch.
        var distances = cdist(standardized, reference, 2.0, TorchSharp.compute_mode.donot_use_mm_for_euclid_dist);
        return distances.topk((int)k, dim: 1, largest: false, sorted: true).values.select(1, k - 1);
    }

    /// <summary>The score of <paramref name="kind"/> from a batch's reconstruction errors and latent codes.</summary>
    public Tensor Score(AutoencoderScoreKind kind, Tensor error, Tensor latent)
    {
        switch (kind)
        {
            case AutoencoderScoreKind.LatentNeighborDistance:
                return Distance(latent);
            case AutoencoderScoreKind.ReconstructionAndNeighborDistance:
                // The larger of the two standardized scores: a row is as anomalous as the more alarmed of the two signals.
                return maximum((error - score_scales[0]) / score_scales[1], (Distance(latent) - score_scales[2]) / score_scales[3]);
            default:
                return error.alias();
        }
    }

    /// <summary>
    /// Keeps the codes of <paramref name="referenceRows"/> (standardized by the mean and standard deviation of all
    /// <paramref name="latents"/>), then the robust scales of the errors and distances of all training rows.
    /// </summary>
    public void Fit(Tensor latents, Tensor errors, long[] referenceRows)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var std = latents.std(0, unbiased: false);
        latent_center.copy_(latents.mean([0]));
        latent_scale.copy_(where(std.Above(1e-12), std, ones_like(std)));
        reference.copy_((latents.index_select(0, tensor(referenceRows)) - latent_center) / latent_scale);
        var (errorCenter, errorScale) = RobustScale.Of(errors);
        var distances = Distance(latents);
        var (distanceCenter, distanceScale) = RobustScale.Of(distances);
        score_scales.copy_(tensor(new[] { errorCenter, errorScale, distanceCenter, distanceScale }));
    }
}
