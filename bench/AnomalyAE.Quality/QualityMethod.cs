using Microsoft.ML;
using Microsoft.ML.Trainers;

namespace AnomalyAE.Quality;

/// <summary>
/// One trained model per normal class and seed, scored one or more ways (a VAE offers three scores from the same
/// weights). <see cref="Fit"/> returns the scorers by name; the experiment disposes them.
/// </summary>
internal sealed record QualityMethod(string Name, string Configuration, Func<MLContext, IDataView, int, int, IReadOnlyList<(string Name, ITransformer Model)>> Fit)
{
    /// <summary>An <see cref="AutoencoderEstimator"/> with the library defaults, changed by <paramref name="edit"/>.</summary>
    public static QualityMethod Autoencoder(string name, string configuration, Action<AutoencoderOptions>? edit = null) =>
        new(name, configuration, (ml, train, seed, threads) =>
        {
            var options = new AutoencoderOptions { Seed = seed, NumberOfThreads = threads };
            edit?.Invoke(options);
            return [(name, ml.Autoencoders().Autoencoder(options).Fit(train))];
        });

    /// <summary>ML.NET's NormalizeMeanVariance (fitted on the training rows) followed by a default <see cref="AutoencoderEstimator"/>.</summary>
    public static QualityMethod Standardized(string name, string configuration) =>
        new(name, configuration, (ml, train, seed, threads) =>
            [(name, ml.Transforms.NormalizeMeanVariance("Features", fixZero: false)
                .Append(ml.Autoencoders().Autoencoder(new AutoencoderOptions { Seed = seed, NumberOfThreads = threads })).Fit(train))]);

    /// <summary>A <see cref="VariationalAutoencoderEstimator"/> scored with every <see cref="VariationalScoreKind"/>.</summary>
    public static QualityMethod Variational(string name, string configuration, Action<VariationalAutoencoderOptions>? edit = null) =>
        new(name, configuration, (ml, train, seed, threads) =>
        {
            var options = new VariationalAutoencoderOptions { Seed = seed, NumberOfThreads = threads };
            edit?.Invoke(options);
            var model = ml.Autoencoders().VariationalAutoencoder(options).Fit(train);
            return Enum.GetValues<VariationalScoreKind>()
                .Select(kind => ($"{name}: {ScoreName(kind)}", kind == options.ScoreKind ? model : (ITransformer)model.WithScoreKind(kind, 0)))
                .ToArray();
        });

    /// <summary>ML.NET's own detector at its default rank (20), the baseline to beat.</summary>
    public static QualityMethod RandomizedPca(int rank = 20) =>
        new("RandomizedPca", $"`ml.AnomalyDetection.Trainers.RandomizedPca`, rank {rank}", (ml, train, seed, _) =>
            [("RandomizedPca", ml.AnomalyDetection.Trainers.RandomizedPca(new RandomizedPcaTrainer.Options { FeatureColumnName = "Features", Rank = rank, Seed = seed }).Fit(train))]);

    private static string ScoreName(VariationalScoreKind kind) => kind switch
    {
        VariationalScoreKind.ReconstructionError => "reconstruction error",
        VariationalScoreKind.NegativeElbo => "negative ELBO",
        _ => "reconstruction probability",
    };
}
