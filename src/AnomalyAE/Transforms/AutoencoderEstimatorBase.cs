using AnomalyAE.Data;
using AnomalyAE.Networks;
using AnomalyAE.Runtime;
using AnomalyAE.Training;
using AnomalyAE.Transforms;
using Microsoft.ML;
using Microsoft.ML.Runtime;

namespace AnomalyAE;

/// <summary>
/// Shared fitting procedure of the autoencoder estimators: read the feature column once, check it, build the
/// network the options describe, train it, and fit the threshold on the training scores. Data over
/// <see cref="AutoencoderOptionsBase.TrainingMemoryBudget"/> (or with <see cref="AutoencoderOptionsBase.StreamTraining"/>)
/// is streamed from the input's cursors instead of read into memory.
/// </summary>
/// <remarks>
/// The estimator keeps a validated copy of the options it was created with: changing the caller's options object
/// afterwards has no effect on it (create a new estimator to train with other options).
/// </remarks>
/// <typeparam name="TOptions">The options type.</typeparam>
/// <typeparam name="TTransformer">The transformer <see cref="Fit(IDataView)"/> returns.</typeparam>
public abstract class AutoencoderEstimatorBase<TOptions, TTransformer> : IEstimator<TTransformer>
    where TOptions : AutoencoderOptionsBase
    where TTransformer : AutoencoderTransformerBase<TTransformer>
{
    private protected AutoencoderEstimatorBase(MLContext context, TOptions options, string name)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(options);
        Host = ((IHostEnvironment)context).Register(name);
        Options = (TOptions)options.Copy();
        Options.Validate();
        // Fails now, not at Fit, when two outputs share a name.
        CreateOutputs();
    }

    private protected IHost Host { get; }

    /// <summary>The validated snapshot of the options this estimator trains with.</summary>
    private protected TOptions Options { get; }

    /// <summary>Trains on <paramref name="input"/>.</summary>
    public TTransformer Fit(IDataView input) => Fit(input, CancellationToken.None);

    /// <summary>Trains on <paramref name="input"/>; <paramref name="cancellationToken"/> is checked between batches.</summary>
    public TTransformer Fit(IDataView input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        TorchRuntime.EnsureAvailable();
        using var channel = Host.Start("Fit");
        var options = Options;
        int seed = options.Seed ?? Host.Rand.Next();
        var data = TrainingData.Read(input, options.FeatureColumnName, options.TrainingMemoryBudget, options.StreamTraining,
            AutoencoderOptionsBase.Defaults.ScoreSampleRows, seed, cancellationToken);
        int rowCount = (int)Math.Min(data.RowCount, int.MaxValue);
        if (data.IsStreamed)
            channel.Info(MessageSensitivity.None, $"Streaming {data.RowCount} rows × {data.Columns} features from the data " +
                (options.StreamTraining ? "(StreamTraining is set)." : $"({data.RowCount * data.Columns * 4L / (1 << 20)} MB of features is over TrainingMemoryBudget, {options.TrainingMemoryBudget / (1 << 20)} MB)."));
        var spec = NetworkSpec.For(options, data.Columns, rowCount);
        FeatureStatistics.Check(data.Summary, options.FeatureColumnName, spec.NeedsUnitInterval, channel);
        FeatureStatistics.CheckCodeWidth(data.Columns, spec.LatentDimension, options.FeatureColumnName, channel);

        int threads = TorchRuntime.ResolveThreads(options.NumberOfThreads);
        int shuffleRows = options.ShuffleBufferSize ?? AutoencoderOptionsBase.Defaults.ShuffleBufferSizeFor(data.Columns);

        TrainingSettings SettingsFor(int rows, int memberSeed, int targetSteps, int? explicitEpochs, int minEpochs = TrainingBudget.MinEpochs)
        {
            int trainingRows = rows - TrainingBudget.ValidationRows(rows, options.ValidationFraction);
            var (batchSize, epochs) = TrainingBudget.Resolve(trainingRows, options.BatchSize, explicitEpochs, targetSteps, minEpochs);
            FeatureStatistics.CheckSteps(trainingRows, batchSize, epochs, channel);
            return new TrainingSettings
            {
                Optimizer = options.Optimizer,
                Epochs = epochs,
                BatchSize = batchSize,
                LearningRate = options.LearningRate,
                WeightDecay = options.WeightDecay,
                ValidationFraction = options.ValidationFraction,
                EarlyStoppingPatience = options.EarlyStoppingPatience,
                TrimmedFraction = options.RobustTraining ? options.Contamination ?? AutoencoderOptionsBase.Defaults.Contamination : 0,
                Seed = memberSeed,
                Threads = threads,
                DropSingleRowBatch = spec.BatchNormalization,
                Progress = options.Progress,
            };
        }

        var network = spec.CreateNetwork(seed);
        try
        {
            IReadOnlyList<EpochLoss> history;
            if (network is AutoencoderEnsemble ensemble)
                history = new EnsembleTrainer((rows, memberSeed) => SettingsFor(rows, memberSeed, TrainingBudget.MemberSteps(ensemble.Members.Count),
                    options.Epochs is int e ? AutoencoderOptionsBase.Defaults.MemberEpochsFor(e, ensemble.Members.Count, MemberSubsampleFraction) : null, minEpochs: 1), channel)
                    .Train(ensemble, data, MemberSubsampleFraction, seed, shuffleRows, cancellationToken);
            else
            {
                var settings = SettingsFor(rowCount, seed, TrainingBudget.TargetSteps, options.Epochs);
                using var batches = TrainingBatches.Open(data, 1.0, settings.ValidationFraction, seed, shuffleRows);
                history = new NetworkTrainer(settings, channel).Train(network, batches, cancellationToken);
            }
            TorchRuntime.UseThreads(threads);
            // Streamed: the score's fitted parts come from a uniform sample of the rows (TrainingData.ScoreSample).
            using (var rows = TensorBuffers.FromRows(data.ScoreSample.Values, data.ScoreSample.Rows, data.Columns))
                network.FitScore(rows, options.ScoringBatchSize, seed);
            var model = new ScoringModel(network, threads, options.ScoringBatchSize);
            var trainingScores = TrainingScores.Of(model, data, seed, cancellationToken);
            if (spec.ScoreIsMeanSquaredError) FeatureStatistics.CheckFit(data.Summary, trainingScores.Mean, options.FeatureColumnName, channel);
            float threshold;
            if (options.Contamination is double contamination)
            {
                threshold = ScoreQuantile.Threshold(trainingScores.Distribution, contamination);
                channel.Info(MessageSensitivity.None, $"Threshold {threshold:G6}: the {1 - contamination:P1} quantile of the training scores.");
            }
            else
            {
                threshold = ScoreQuantile.Automatic(trainingScores.Distribution, AutoencoderOptionsBase.Defaults.AutomaticThresholdDeviations);
                double flagged = trainingScores.Distribution.FractionAbove(threshold);
                channel.Info(MessageSensitivity.None, $"Threshold {threshold:G6}: median + {AutoencoderOptionsBase.Defaults.AutomaticThresholdDeviations:G3} MAD of the training scores (Contamination = null); it flags {flagged:P1} of the training rows.");
            }
            var calibration = ScoreCalibration.Fit(trainingScores.Distribution);
            return (TTransformer)AutoencoderTransformerBase.Create(model, CreateOutputs(), options.FeatureColumnName, threshold, calibration, history);
        }
        catch
        {
            network.Dispose();
            throw;
        }
    }

    /// <summary>The input schema plus the columns the fitted transformer will add.</summary>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        FeatureColumn.Check(inputSchema, Options.FeatureColumnName);
        // Vector sizes are not part of a SchemaShape; any sizes give the same column shapes.
        return SchemaShapes.Extend(inputSchema, CreateOutputs().BuildOwnSchema(inputDimension: 1, latentDimension: 1));
    }

    /// <summary>Fraction of the rows each ensemble member trains on (used only when the spec is an ensemble).</summary>
    private protected virtual double MemberSubsampleFraction => 1.0;

    /// <summary>Output columns beyond the four common ones.</summary>
    private protected virtual IEnumerable<OutputColumn> AdditionalOutputs() => [];

    private OutputColumns CreateOutputs()
    {
        var columns = new List<OutputColumn>();
        void Add(string? name, OutputKind kind) { if (name is not null) columns.Add(new OutputColumn(name, kind)); }
        Add(Options.ScoreColumnName, OutputKind.Score);
        Add(Options.PredictedLabelColumnName, OutputKind.PredictedLabel);
        Add(Options.LatentFeaturesColumnName, OutputKind.LatentFeatures);
        Add(Options.ReconstructionColumnName, OutputKind.Reconstruction);
        Add(Options.FeatureContributionsColumnName, OutputKind.FeatureContributions);
        Add(Options.ProbabilityColumnName, OutputKind.Probability);
        columns.AddRange(AdditionalOutputs());
        OptionsValidation.Distinct(columns.Select(c => c.Name).ToArray());
        return new OutputColumns(columns);
    }
}
