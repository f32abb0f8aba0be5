namespace AnomalyAE.Tabular;

/// <summary>The detectors of the report (<c>--mode report</c>), of the thresholds report (<c>--mode thresholds</c>) and the candidate defaults of the sweep (<c>--mode sweep</c>).</summary>
internal static class DetectorLists
{
    public static Detector[] Report =>
    [
        Detector.Autoencoder("AE (defaults)", "`AutoencoderOptions` defaults: 8 members on half the rows each, score = reconstruction error + latent neighbour distance"),
        Detector.Autoencoder("AE (defaults), robust training", "the defaults with `RobustTraining = true` (trimmed loss)", (o, _, _) => o.RobustTraining = true),
        Detector.Autoencoder("AE (single network)", "the defaults before this benchmark: one network on every row, plain loss, reconstruction error",
            (o, _, _) => { o.EnsembleSize = 1; o.RobustTraining = false; o.ScoreKind = AutoencoderScoreKind.ReconstructionError; }),
        Detector.RandomizedPca(),
    ];

    /// <summary>The thresholds and calibration report: the defaults, and one plain network (reconstruction error alone).</summary>
    public static Detector[] Thresholds => [Report[0], Report[2]];

    public static Detector[] Sweep =>
    [
        Detector.Autoencoder("AE (defaults)", "`AutoencoderOptions` defaults"),
        Detector.Autoencoder("std residuals", "the defaults with `ErrorMetric = StandardizedSquaredError`",
            (o, _, _) => o.ErrorMetric = ReconstructionErrorMetric.StandardizedSquaredError),
        Detector.Autoencoder("std residuals, reconstruction only", "`ErrorMetric = StandardizedSquaredError`, `ScoreKind = ReconstructionError`",
            (o, _, _) => { o.ErrorMetric = ReconstructionErrorMetric.StandardizedSquaredError; o.ScoreKind = AutoencoderScoreKind.ReconstructionError; }),
        Steps("std residuals, 250 steps", 250, AutoencoderScoreKind.ReconstructionAndNeighborDistance),
        Steps("std residuals, reconstruction only, 250 steps", 250, AutoencoderScoreKind.ReconstructionError),
        Steps("std residuals, reconstruction only, 100 steps", 100, AutoencoderScoreKind.ReconstructionError),
    ];

    /// <summary>Standardized residuals, 8 members on half the rows, each trained for about <paramref name="steps"/> gradient steps.</summary>
    private static Detector Steps(string name, int steps, AutoencoderScoreKind score) =>
        Detector.Autoencoder(name, $"`ErrorMetric = StandardizedSquaredError`, `ScoreKind = {score}`, ≈ {steps} steps per member", (o, rows, features) =>
        {
            o.ErrorMetric = ReconstructionErrorMetric.StandardizedSquaredError;
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

    /// <summary>
    /// <paramref name="size"/> members on <paramref name="fraction"/> of the rows each, with batch size and epochs set for
    /// about <paramref name="steps"/> gradient steps per member (batch by the library's rule for the member's rows).
    /// </summary>
    private static Detector Ensemble(int size, double fraction, int steps, bool robust, AutoencoderScoreKind score = AutoencoderScoreKind.ReconstructionError,
        bool narrowCode = false) =>
        Detector.Autoencoder($"Ensemble {size}×{fraction:0.##}, {steps} steps{(robust ? ", robust" : "")}{score switch { AutoencoderScoreKind.ReconstructionError => "", AutoencoderScoreKind.LatentNeighborDistance => ", neighbours", _ => ", both" }}{(narrowCode ? ", code features/4" : "")}",
            $"{size} members, each on {fraction:P0} of the rows for ≈ {steps} steps{(robust ? ", trimmed loss" : "")}, score {score}{(narrowCode ? ", code: power of two nearest features / 4" : "")}", (o, rows, features) =>
            {
                if (narrowCode) o.LatentDimension = Math.Max(1, Math.Min(32, (int)Math.Pow(2, Math.Round(Math.Log2(Math.Max(1, features / 4.0))))));
                o.ScoreKind = score;
                o.EnsembleSize = size;
                o.SubsampleFraction = fraction;
                o.RobustTraining = robust;
                // A member's training rows as the library counts them, and its batch by the library's rule.
                int memberRows = Math.Clamp((int)Math.Round(rows * fraction), 1, rows);
                int trainingRows = memberRows - AutoencoderOptions.Defaults.ValidationRows(memberRows, o.ValidationFraction);
                int batch = AutoencoderOptions.Defaults.BatchSizeFor(trainingRows);
                int memberEpochs = Math.Max(1, (int)Math.Ceiling(steps / Math.Ceiling(trainingRows / (double)batch)));
                // An explicit Epochs is one network's budget; each member then trains MemberEpochsFor(Epochs, …) epochs.
                int epochs = (int)Math.Round(memberEpochs * size * fraction / 2);
                if (AutoencoderOptions.Defaults.MemberEpochsFor(epochs, size, fraction) != memberEpochs)
                    throw new InvalidOperationException($"{size} members × {fraction}: no Epochs gives {memberEpochs} epochs per member.");
                o.BatchSize = batch;
                o.Epochs = epochs;
            });
}
