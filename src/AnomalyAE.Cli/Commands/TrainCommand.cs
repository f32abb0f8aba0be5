using System.ComponentModel;
using AnomalyAE.Cli.Tables;
using Microsoft.ML;
using Serilog;
using Spectre.Console;
using Spectre.Console.Cli;

namespace AnomalyAE.Cli.Commands;

/// <summary>anomalyae train: CSV → Concatenate → normalizer → autoencoder/VAE, or with --window a sequence autoencoder → model file.</summary>
internal sealed class TrainCommand : Command<TrainCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--data <FILE>"), Description("Training CSV with a header row.")] public string Data { get; init; } = "";
        [CommandOption("--out <MODEL>"), Description("Model file to write (e.g. model.aeml).")] public string Out { get; init; } = "";
        [CommandOption("--label-column <NAME>"), Description("Column left out of the features (default: 'label' if present).")] public string? LabelColumn { get; init; }
        [CommandOption("--id-column <NAME>"), Description("Text column carried along, not a feature (default: 'id' if present).")] public string? IdColumn { get; init; }
        [CommandOption("--model <KIND>"), Description("autoencoder or vae.")] public string Model { get; init; } = "autoencoder";
        [CommandOption("--latent <K>"), Description("Latent dimension (default: chosen from the number of features).")] public int? Latent { get; init; }
        [CommandOption("--hidden <WIDTHS>"), Description("Hidden layer widths, comma-separated (e.g. 64,32), or none (default: four times the latent dimension).")] public string? Hidden { get; init; }
        [CommandOption("--epochs <N>"), Description("Passes over the data (default: chosen from the number of rows).")] public int? Epochs { get; init; }
        [CommandOption("--batch <N>"), Description("Rows per gradient step (default: chosen from the number of rows).")] public int? Batch { get; init; }
        [CommandOption("--noise <KIND:LEVEL>"), Description("Denoising: gaussian:0.1 or masking:0.2 (autoencoder only).")] public string? Noise { get; init; }
        [CommandOption("--ensemble <N>"), Description("Autoencoders in the ensemble, each trained on its own subsample (autoencoder only; default: the library's).")] public int? Ensemble { get; init; }
        [CommandOption("--subsample <FRACTION>"), Description("Fraction of the rows each ensemble member trains on (default: the library's).")] public double? Subsample { get; init; }
        [CommandOption("--robust <BOOL>"), Description("true: trimmed loss that leaves the contamination fraction of each batch out (default: the library's).")] public bool? Robust { get; init; }
        [CommandOption("--score <KIND>"), Description("reconstruction, neighbors or both (autoencoder only; default: the library's).")] public string? Score { get; init; }
        [CommandOption("--normalize <KIND>"), Description("minmax, meanvar or none.")] public string Normalize { get; init; } = "meanvar";
        [CommandOption("--contamination <FRACTION>"), Description("Expected fraction of anomalies, which sets the threshold (default: the library's, 0.1); auto sets it without a guess: median + 3 MAD of the training scores. Given for a sequence model, it replaces the default peaks-over-threshold rule.")] public string? Contamination { get; init; }
        [CommandOption("--threshold <RULE>"), Description("How the threshold is fitted on the training scores: contamination (the quantile set by the contamination option), auto (median + 3 MAD) or pot (peaks over threshold at the risk option's level); default: contamination, or pot for sequence models.")] public string? Threshold { get; init; }
        [CommandOption("--risk <Q>"), Description("Peaks over threshold: the probability that a normal row scores above the threshold, below 0.02 (default: the library's, 0.001).")] public double? Risk { get; init; }
        [CommandOption("--window <STEPS>"), Description("Train a sequence autoencoder: rows are time steps (in file order, or sorted by the order column), and each row is scored by windows of STEPS rows that hold it; by default the one ending at it, so the first STEPS - 1 rows of a series get no score.")] public int? Window { get; init; }
        [CommandOption("--series-column <NAME>"), Description("With --window: the column naming each row's series; series are windowed apart (not a feature).")] public string? SeriesColumn { get; init; }
        [CommandOption("--order-column <NAME>"), Description("With --window: the column ordering the rows of a series (numbers, dates and times, or text; not a feature); training sorts by it, scoring refuses rows out of order.")] public string? OrderColumn { get; init; }
        [CommandOption("--network <KIND>"), Description("With --window: dense, convolutional, gru or lstm (default: the library's, dense).")] public string? Network { get; init; }
        [CommandOption("--stride <STEPS>"), Description("With --window: steps between training windows (default 1).")] public int? Stride { get; init; }
        [CommandOption("--aggregation <KIND>"), Description("With --window: last (a row's score is the window ending at it, online; default) or mean (the mean of every window holding it, batch).")] public string? Aggregation { get; init; }
        [CommandOption("--baseline <STEPS>"), Description("With --window: score each row relative to its series' last STEPS scores (at least 100; default: the library's, 8640), or 0 for the window's raw reconstruction error.")] public int? Baseline { get; init; }
        [CommandOption("--missing <KIND>"), Description("With --window, for empty or NaN cells: error (default), carry-forward (hold the last value) or restart (a gap; the series starts again).")] public string? Missing { get; init; }
        [CommandOption("--seed <N>"), Description("Random seed of initialization, shuffling and noise: same seed, data and threads give the same model (default: 1).")] public int Seed { get; init; } = 1;
        [CommandOption("--threads <N>"), Description("libtorch threads (default: all cores).")] public int? Threads { get; init; }
        [CommandOption("--memory-budget <MB>"), Description("Megabytes of features (rows × features × 4) trained on in memory; larger data is streamed from the file once per epoch (default: 1024).")] public long? MemoryBudget { get; init; }
        [CommandOption("--shuffle-buffer <ROWS>"), Description("Rows of the shuffle buffer when streaming (default: as many as take 64 MB).")] public int? ShuffleBuffer { get; init; }

        public override ValidationResult Validate()
        {
            if (string.IsNullOrWhiteSpace(Data)) return ValidationResult.Error("--data FILE is required.");
            if (string.IsNullOrWhiteSpace(Out)) return ValidationResult.Error("--out MODEL is required.");
            if (Model is not ("autoencoder" or "vae")) return ValidationResult.Error($"--model must be 'autoencoder' or 'vae', not '{Model}'.");
            if (Normalize is not ("minmax" or "meanvar" or "none")) return ValidationResult.Error($"--normalize must be minmax, meanvar or none, not '{Normalize}'.");
            if (Noise is not null && Model == "vae") return ValidationResult.Error("--noise applies to --model autoencoder only.");
            if ((Ensemble ?? Subsample ?? (object?)Score) is not null && Model == "vae") return ValidationResult.Error("--ensemble, --subsample and --score apply to --model autoencoder only.");
            if (Score is not (null or "reconstruction" or "neighbors" or "both")) return ValidationResult.Error($"--score must be reconstruction, neighbors or both, not '{Score}'.");
            if (MemoryBudget is < 0) return ValidationResult.Error($"--memory-budget must be at least 0 megabytes, not {MemoryBudget}.");
            if (ShuffleBuffer is < 1) return ValidationResult.Error($"--shuffle-buffer must be at least 1 row, not {ShuffleBuffer}.");
            if (Contamination is not (null or "auto") && !double.TryParse(Contamination, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out _))
                return ValidationResult.Error($"--contamination must be a fraction such as 0.05, or auto, not '{Contamination}'.");
            if (Threshold is not (null or "contamination" or "auto" or "pot")) return ValidationResult.Error($"--threshold must be contamination, auto or pot, not '{Threshold}'.");
            if (Window is null && (SeriesColumn ?? OrderColumn ?? Network ?? Aggregation ?? Missing ?? Stride ?? (object?)Baseline) is not null)
                return ValidationResult.Error("--series-column, --order-column, --network, --stride, --aggregation, --baseline and --missing apply to sequence models: add --window STEPS.");
            if (Window is not null && (Model == "vae" || Noise is not null || Score is not null))
                return ValidationResult.Error("--window trains a sequence autoencoder: --model vae, --noise and --score do not apply to it.");
            if (Window is < 2) return ValidationResult.Error($"--window must be at least 2 steps, not {Window}.");
            if (Stride is < 1) return ValidationResult.Error($"--stride must be at least 1 step, not {Stride}.");
            if (Network is not (null or "dense" or "convolutional" or "gru" or "lstm")) return ValidationResult.Error($"--network must be dense, convolutional, gru or lstm, not '{Network}'.");
            if (Baseline is not (null or 0 or >= 100)) return ValidationResult.Error($"--baseline must be 0 (the raw reconstruction error) or at least 100 steps, not {Baseline}.");
            if (Aggregation is not (null or "last" or "mean")) return ValidationResult.Error($"--aggregation must be last or mean, not '{Aggregation}'.");
            if (Missing is not (null or "error" or "carry-forward" or "restart")) return ValidationResult.Error($"--missing must be error, carry-forward or restart, not '{Missing}'.");
            return ValidationResult.Success();
        }

        /// <summary>The contamination option's value: the default when not given, null for auto.</summary>
        public double? ContaminationValue => Contamination switch
        {
            null => AutoencoderOptions.Defaults.Contamination,
            "auto" => null,
            var text => double.Parse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture),
        };

        /// <summary>The threshold rule: as asked; else the contamination rule when --contamination is given or the model is tabular; else the sequence default.</summary>
        public ThresholdRule ThresholdRuleValue => Threshold switch
        {
            "auto" => ThresholdRule.Automatic,
            "pot" => ThresholdRule.PeaksOverThreshold,
            "contamination" => ThresholdRule.Contamination,
            _ => Window is null || Contamination is not null ? ThresholdRule.Contamination : SequenceAutoencoderOptions.Defaults.SequenceThresholdRule,
        };
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var session = new ModelSession(settings.Seed);
        var ml = session.Context;
        // Streamed: read once per pass, never whole.
        using var csv = CsvDataView.Open(settings.Data);
        var table = FeatureTable.ForTraining(csv, settings.LabelColumn, settings.IdColumn,
            settings.Window is null ? null : new FeatureTable.SeriesRoles(settings.SeriesColumn, settings.OrderColumn));
        if (settings.Window is int window)
            Log.Information("Sequence autoencoder over windows of {Window} rows" + (settings.SeriesColumn is null ? "" : ", per series of {Series}") + (settings.OrderColumn is null ? "" : ", ordered by {Order}"),
                window, settings.SeriesColumn ?? "", settings.OrderColumn ?? "");
        Log.Information("Training on {Path}: {Count} feature columns ({Columns})", table.Path, table.FeatureColumns.Length, string.Join(", ", table.FeatureColumns.Take(8)) + (table.FeatureColumns.Length > 8 ? ", …" : ""));

        const string features = AutoencoderOptions.Defaults.FeatureColumnName;
        IEstimator<ITransformer> pipeline = ml.Transforms.Concatenate(features, table.FeatureColumns);
        pipeline = settings.Normalize switch
        {
            "minmax" => pipeline.Append(ml.Transforms.NormalizeMinMax(features)),
            "meanvar" => pipeline.Append(ml.Transforms.NormalizeMeanVariance(features)),
            _ => pipeline,
        };
        var progress = new TrainingProgressDisplay();
        pipeline = pipeline.Append(CreateEstimator(ml, settings, progress));

        ITransformer model = progress.Run(() => CsvDataView.Reporting(() => pipeline.Fit(table.Data)));
        try
        {
            session.Save(model, table.Data.Schema, settings.Out);
        }
        finally
        {
            (model as IDisposable)?.Dispose();
        }
        Log.Information("Saved the pipeline to {Path}", StandardStreams.Describe(settings.Out, output: true));
        return 0;
    }

    private static IEstimator<ITransformer> CreateEstimator(MLContext ml, Settings s, IProgress<TrainingProgress> progress)
    {
        int[]? hidden = s.Hidden is null ? null : ParseWidths(s.Hidden);
        long memoryBudget = s.MemoryBudget is long megabytes ? checked(megabytes << 20) : AutoencoderOptions.Defaults.TrainingMemoryBudget;
        if (s.Model == "vae")
            return ml.Autoencoders().VariationalAutoencoder(new VariationalAutoencoderOptions
            {
                TrainingMemoryBudget = memoryBudget, ShuffleBufferSize = s.ShuffleBuffer,
                LatentDimension = s.Latent, HiddenLayers = hidden, Epochs = s.Epochs, BatchSize = s.Batch,
                Contamination = s.ContaminationValue, ThresholdRule = s.ThresholdRuleValue, ThresholdRisk = s.Risk ?? VariationalAutoencoderOptions.Defaults.ThresholdRisk,
                Seed = s.Seed, NumberOfThreads = s.Threads, Progress = progress,
                RobustTraining = s.Robust ?? new VariationalAutoencoderOptions().RobustTraining,
                FeatureContributionsColumnName = AutoencoderOptions.Defaults.FeatureContributionsColumnName,
            });
        if (s.Window is int window) return CreateSequenceEstimator(ml, s, window, hidden, memoryBudget, progress);
        var (noise, level) = ParseNoise(s.Noise);
        var defaults = new AutoencoderOptions();
        return ml.Autoencoders().Autoencoder(new AutoencoderOptions
        {
            TrainingMemoryBudget = memoryBudget, ShuffleBufferSize = s.ShuffleBuffer,
            LatentDimension = s.Latent, HiddenLayers = hidden, Epochs = s.Epochs, BatchSize = s.Batch, Noise = noise, NoiseLevel = level,
            Contamination = s.ContaminationValue, ThresholdRule = s.ThresholdRuleValue, ThresholdRisk = s.Risk ?? AutoencoderOptions.Defaults.ThresholdRisk,
            Seed = s.Seed, NumberOfThreads = s.Threads, Progress = progress,
            FeatureContributionsColumnName = AutoencoderOptions.Defaults.FeatureContributionsColumnName,
            EnsembleSize = s.Ensemble ?? defaults.EnsembleSize,
            SubsampleFraction = s.Subsample ?? defaults.SubsampleFraction,
            RobustTraining = s.Robust ?? defaults.RobustTraining,
            ScoreKind = s.Score switch
            {
                "reconstruction" => AutoencoderScoreKind.ReconstructionError,
                "neighbors" => AutoencoderScoreKind.LatentNeighborDistance,
                "both" => AutoencoderScoreKind.ReconstructionAndNeighborDistance,
                _ => defaults.ScoreKind,
            },
        });
    }

    private static IEstimator<ITransformer> CreateSequenceEstimator(MLContext ml, Settings s, int window, int[]? hidden, long memoryBudget, IProgress<TrainingProgress> progress)
    {
        var defaults = new SequenceAutoencoderOptions();
        return ml.Autoencoders().SequenceAutoencoder(new SequenceAutoencoderOptions
        {
            WindowSize = window, SeriesColumnName = s.SeriesColumn, OrderColumnName = s.OrderColumn,
            TrainingStride = s.Stride ?? defaults.TrainingStride,
            Architecture = s.Network switch { "convolutional" => SequenceArchitecture.Convolutional, "gru" or "lstm" => SequenceArchitecture.Recurrent, _ => defaults.Architecture },
            Cell = s.Network == "lstm" ? RecurrentCell.Lstm : s.Network == "gru" ? RecurrentCell.Gru : defaults.Cell,
            ScoreAggregation = s.Aggregation == "mean" ? WindowScoreAggregation.MeanOfCoveringWindows : s.Aggregation == "last" ? WindowScoreAggregation.LastWindow : defaults.ScoreAggregation,
            ScoreBaselineSteps = s.Baseline ?? defaults.ScoreBaselineSteps,
            MissingValues = s.Missing switch { "carry-forward" => MissingValueHandling.CarryForward, "restart" => MissingValueHandling.Restart, "error" => MissingValueHandling.Error, _ => defaults.MissingValues },
            TrainingMemoryBudget = memoryBudget, ShuffleBufferSize = s.ShuffleBuffer,
            LatentDimension = s.Latent, HiddenLayers = hidden, Epochs = s.Epochs, BatchSize = s.Batch,
            Contamination = s.ContaminationValue, ThresholdRule = s.ThresholdRuleValue, ThresholdRisk = s.Risk ?? defaults.ThresholdRisk,
            Seed = s.Seed, NumberOfThreads = s.Threads, Progress = progress,
            FeatureContributionsColumnName = AutoencoderOptions.Defaults.FeatureContributionsColumnName,
            EnsembleSize = s.Ensemble ?? defaults.EnsembleSize,
            SubsampleFraction = s.Subsample ?? defaults.SubsampleFraction,
            RobustTraining = s.Robust ?? defaults.RobustTraining,
        });
    }

    private static int[] ParseWidths(string text)
    {
        if (string.IsNullOrWhiteSpace(text) || text == "none") return [];
        try
        {
            return text.Split(',').Select(w => int.Parse(w.Trim())).ToArray();
        }
        catch (FormatException)
        {
            throw new CliException($"--hidden '{text}': expected comma-separated layer widths such as 64,32.");
        }
    }

    private static (InputNoise Kind, double Level) ParseNoise(string? text)
    {
        if (text is null || text == "none") return (InputNoise.None, AutoencoderOptions.Defaults.NoiseLevel);
        var parts = text.Split(':');
        if (parts.Length == 2 && double.TryParse(parts[1], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double level))
        {
            if (parts[0] == "gaussian") return (InputNoise.Gaussian, level);
            if (parts[0] == "masking") return (InputNoise.Masking, level);
        }
        throw new CliException($"--noise '{text}': expected gaussian:LEVEL or masking:LEVEL, e.g. gaussian:0.1.");
    }
}
