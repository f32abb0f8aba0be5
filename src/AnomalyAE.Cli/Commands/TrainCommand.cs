using System.ComponentModel;
using AnomalyAE.Cli.Tables;
using Microsoft.ML;
using Serilog;
using Spectre.Console;
using Spectre.Console.Cli;

namespace AnomalyAE.Cli.Commands;

/// <summary>anomalyae train: CSV → Concatenate → normalizer → autoencoder/VAE → model file.</summary>
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
        [CommandOption("--contamination <FRACTION>"), Description("Expected fraction of anomalies, which sets the threshold (default: the library's, 0.1); auto sets it without a guess: median + 3 MAD of the training scores.")] public string Contamination { get; init; } = AutoencoderOptions.Defaults.Contamination.ToString(System.Globalization.CultureInfo.InvariantCulture);
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
            if (Contamination != "auto" && !double.TryParse(Contamination, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out _))
                return ValidationResult.Error($"--contamination must be a fraction such as 0.05, or auto, not '{Contamination}'.");
            return ValidationResult.Success();
        }

        /// <summary>The contamination option's value: null for auto.</summary>
        public double? ContaminationValue => Contamination == "auto" ? null : double.Parse(Contamination, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture);
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var session = new ModelSession(settings.Seed);
        var ml = session.Context;
        // Streamed: read once per pass, never whole.
        using var csv = CsvDataView.Open(settings.Data);
        var table = FeatureTable.ForTraining(csv, settings.LabelColumn, settings.IdColumn);
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
                Contamination = s.ContaminationValue, Seed = s.Seed, NumberOfThreads = s.Threads, Progress = progress,
                RobustTraining = s.Robust ?? new VariationalAutoencoderOptions().RobustTraining,
                FeatureContributionsColumnName = AutoencoderOptions.Defaults.FeatureContributionsColumnName,
            });
        var (noise, level) = ParseNoise(s.Noise);
        var defaults = new AutoencoderOptions();
        return ml.Autoencoders().Autoencoder(new AutoencoderOptions
        {
            TrainingMemoryBudget = memoryBudget, ShuffleBufferSize = s.ShuffleBuffer,
            LatentDimension = s.Latent, HiddenLayers = hidden, Epochs = s.Epochs, BatchSize = s.Batch, Noise = noise, NoiseLevel = level,
            Contamination = s.ContaminationValue, Seed = s.Seed, NumberOfThreads = s.Threads, Progress = progress,
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
