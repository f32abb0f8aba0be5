
namespace AnomalyAE.Quality;

/// <summary>The methods of the report (<c>--mode report</c>) and the candidate defaults of the sweep (<c>--mode sweep</c>).</summary>
internal static class MethodLists
{
    public static QualityMethod[] Report =>
    [
        QualityMethod.Autoencoder("AE (defaults)", "`AutoencoderOptions` defaults"),
        QualityMethod.Autoencoder("AE (single network)", "the defaults before the tabular benchmark: one network on every row, plain loss, reconstruction error",
            o => { o.EnsembleSize = 1; o.RobustTraining = false; o.ScoreKind = AutoencoderScoreKind.ReconstructionError; }),
        QualityMethod.Autoencoder("AE ensemble, reconstruction score", "the defaults scored by reconstruction error alone",
            o => o.ScoreKind = AutoencoderScoreKind.ReconstructionError),
        QualityMethod.Autoencoder("AE single network, combined score", "one network on every row, reconstruction error + latent neighbour distance",
            o => o.EnsembleSize = 1),
        QualityMethod.Autoencoder("AE (0.1 defaults)", "the defaults before the sweep: 784 → 64 → 8, 50 epochs, batch 256",
            o => { o.HiddenLayers = [64]; o.LatentDimension = 8; o.Epochs = 50; o.BatchSize = 256; }),
        QualityMethod.Autoencoder("Denoising AE", "defaults with Gaussian input noise σ = 0.2", o => { o.Noise = InputNoise.Gaussian; o.NoiseLevel = 0.2; }),
        QualityMethod.Autoencoder("Sparse AE", "defaults with ReLU latent and L1 activity penalty 1e-3",
            o => { o.Sparsity = SparsityPenalty.L1; o.SparsityWeight = 1e-3; o.LatentActivation = AutoencoderActivation.ReLU; }),
        QualityMethod.Variational("VAE", "`VariationalAutoencoderOptions` defaults with the AE's latent size; one model scored three ways"),
        QualityMethod.RandomizedPca(),
    ];

    public static QualityMethod[] Sweep =>
    [
        QualityMethod.Autoencoder("AE (defaults)", "data-scaled widths and budget (784 features: 784 → 128 → 32)"),
        Candidate([64], 8, fixedBudget: true),
        Candidate([64], 8),
        Candidate([128], 16),
        Candidate([128], 32, fixedBudget: true),
        Candidate([128], 32),
        Candidate([256], 32),
        Candidate([256], 64),
        Candidate([256, 128], 32),
        Budget(1000),
        Budget(9000),
        QualityMethod.Autoencoder("AE (defaults) + BCE", "defaults with sigmoid output and binary cross-entropy loss and score (images in [0, 1])",
            o => { o.OutputActivation = AutoencoderActivation.Sigmoid; o.Loss = ReconstructionLoss.BinaryCrossEntropy; o.ErrorMetric = ReconstructionErrorMetric.BinaryCrossEntropy; }),
        QualityMethod.Autoencoder("AE (defaults) + MAE score", "defaults, scored by mean absolute instead of squared error", o => o.ErrorMetric = ReconstructionErrorMetric.MeanAbsoluteError),
        QualityMethod.Standardized("AE (defaults) + standardized", "NormalizeMeanVariance (fitted on the normal class) before the defaults"),
        QualityMethod.Variational("VAE (defaults)", "VAE, data-scaled widths and budget"),
        QualityMethod.Variational("VAE 128/16", "VAE, hidden [128], latent 16, data-scaled budget", o => { o.HiddenLayers = [128]; o.LatentDimension = 16; }),
        QualityMethod.Variational("VAE 128/32", "VAE, hidden [128], latent 32, data-scaled budget", o => { o.HiddenLayers = [128]; o.LatentDimension = 32; }),
        QualityMethod.RandomizedPca(),
    ];

    /// <summary>Default widths and batch size, epochs for about <paramref name="steps"/> gradient steps instead of the default 3,000.</summary>
    private static QualityMethod Budget(int steps) =>
        new($"AE (defaults, {steps} steps)", $"defaults but epochs for ≈ {steps} steps", (ml, train, seed, threads) =>
        {
            var options = new AutoencoderOptions { Seed = seed, NumberOfThreads = threads };
            int all = (int)(train.GetRowCount() ?? 0);
            int rows = all - AutoencoderOptions.Defaults.ValidationRows(all, options.ValidationFraction);
            int batch = AutoencoderOptions.Defaults.BatchSizeFor(rows);
            int epochs = Math.Max(1, (int)Math.Ceiling(steps / Math.Ceiling(rows / (double)batch)));
            options.BatchSize = batch;
            options.Epochs = epochs;
            return [($"AE (defaults, {steps} steps)", ml.Autoencoders().Autoencoder(options).Fit(train))];
        });

    private static QualityMethod Candidate(int[] hidden, int latent, bool fixedBudget = false)
    {
        string name = $"AE {string.Join("-", hidden)}/{latent}" + (fixedBudget ? " (50 epochs, batch 256)" : "");
        return QualityMethod.Autoencoder(name, $"hidden [{string.Join(", ", hidden)}], latent {latent}, " + (fixedBudget ? "50 epochs, batch 256" : "data-scaled budget"), o =>
        {
            o.HiddenLayers = hidden;
            o.LatentDimension = latent;
            if (fixedBudget) { o.Epochs = 50; o.BatchSize = 256; }
        });
    }
}
