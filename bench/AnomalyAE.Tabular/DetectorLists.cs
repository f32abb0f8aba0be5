namespace AnomalyAE.Tabular;

/// <summary>The detectors of the report (<c>--mode report</c>), of the thresholds report (<c>--mode thresholds</c>) and the candidate defaults of the sweep (<c>--mode sweep</c>).</summary>
internal static class DetectorLists
{
    public static Detector[] Report =>
    [
        Detector.Autoencoder("AE (defaults)", "`AutoencoderOptions` defaults: 8 members on half the rows each, ≈ 50 gradient steps each, " +
            "score = the larger of the standardized-residual reconstruction error and the latent neighbour distance"),
        Detector.Autoencoder("AE (0.2 defaults)", "the defaults of version 0.2 (0bcfa38): `ErrorMetric = MeanSquaredError`, ≈ 750 steps per member",
            (o, rows, _) => { o.ErrorMetric = ReconstructionErrorMetric.MeanSquaredError; SetSteps(o, rows, 8, 0.5, 750); }),
        Detector.Autoencoder("AE (single network)", "one network on every row, plain loss, mean squared reconstruction error (the defaults before 0.2)",
            (o, _, _) => { o.EnsembleSize = 1; o.ScoreKind = AutoencoderScoreKind.ReconstructionError; o.ErrorMetric = ReconstructionErrorMetric.MeanSquaredError; }),
        Detector.RandomizedPca(),
    ];

    /// <summary>The thresholds and calibration report: the defaults, and one plain network (reconstruction error alone).</summary>
    public static Detector[] Thresholds => [Report[0], Report[2]];

    /// <summary>Ideas measured one at a time on top of the former defaults (see bench/TABULAR.md, "How the defaults were chosen").</summary>

    public static Detector[] Sweep =>
    [
        Detector.Autoencoder("AE (defaults)", "`AutoencoderOptions` defaults"),
        Detector.Autoencoder("std residuals", "the defaults with `ErrorMetric = StandardizedSquaredError`",
            (o, _, _) => o.ErrorMetric = ReconstructionErrorMetric.StandardizedSquaredError),
        Detector.Autoencoder("std residuals, reconstruction only", "`ErrorMetric = StandardizedSquaredError`, `ScoreKind = ReconstructionError`",
            (o, _, _) => { o.ErrorMetric = ReconstructionErrorMetric.StandardizedSquaredError; o.ScoreKind = AutoencoderScoreKind.ReconstructionError; }),
        Steps("std residuals, 250 steps", 250, AutoencoderScoreKind.ReconstructionAndNeighborDistance),
        Steps("defaults, 250 steps", 250, AutoencoderScoreKind.ReconstructionAndNeighborDistance, ReconstructionErrorMetric.MeanSquaredError),
        Steps("defaults, 100 steps", 100, AutoencoderScoreKind.ReconstructionAndNeighborDistance, ReconstructionErrorMetric.MeanSquaredError),
        Steps("std residuals, 100 steps", 100, AutoencoderScoreKind.ReconstructionAndNeighborDistance),
        Steps("defaults, 50 steps", 50, AutoencoderScoreKind.ReconstructionAndNeighborDistance, ReconstructionErrorMetric.MeanSquaredError),
        Steps("std residuals, 50 steps", 50, AutoencoderScoreKind.ReconstructionAndNeighborDistance),
        Steps("defaults, 25 steps", 25, AutoencoderScoreKind.ReconstructionAndNeighborDistance, ReconstructionErrorMetric.MeanSquaredError),
        Steps("std residuals, 25 steps", 25, AutoencoderScoreKind.ReconstructionAndNeighborDistance),
        Steps("std residuals, reconstruction only, 50 steps", 50, AutoencoderScoreKind.ReconstructionError),
        Steps("std residuals, reconstruction only, 250 steps", 250, AutoencoderScoreKind.ReconstructionError),
        Steps("std residuals, reconstruction only, 100 steps", 100, AutoencoderScoreKind.ReconstructionError),
    ];

    /// <summary>Standardized residuals, 8 members on half the rows, each trained for about <paramref name="steps"/> gradient steps.</summary>
    private static Detector Steps(string name, int steps, AutoencoderScoreKind score, ReconstructionErrorMetric metric = ReconstructionErrorMetric.StandardizedSquaredError) =>
        Detector.Autoencoder(name, $"`ErrorMetric = {metric}`, `ScoreKind = {score}`, ≈ {steps} steps per member", (o, rows, features) =>
        {
            o.ErrorMetric = metric;
            o.ScoreKind = score;
            SetSteps(o, rows, 8, 0.5, steps);
        });

    /// <summary>Batch size and epochs for about <paramref name="steps"/> gradient steps per member (batch by the library's rule).</summary>
    private static void SetSteps(AutoencoderOptions o, int rows, int size, double fraction, int steps)
    {
        int memberRows = Math.Clamp((int)Math.Round(rows * fraction), 1, rows);
        int trainingRows = memberRows - AutoencoderOptions.Defaults.ValidationRows(memberRows, o.ValidationFraction);
        int batch = AutoencoderOptions.Defaults.BatchSizeFor(trainingRows);
        int memberEpochs = Math.Max(1, (int)Math.Ceiling(steps / Math.Ceiling(trainingRows / (double)batch)));
        // An explicit Epochs is one network's budget; each member then trains MemberEpochsFor(Epochs, …) epochs (rounding may add one).
        o.BatchSize = batch;
        o.Epochs = Math.Max(1, (int)Math.Floor(memberEpochs * size * fraction / 2));
    }
}
