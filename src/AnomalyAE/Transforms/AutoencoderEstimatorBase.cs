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
/// network the options describe, train it, and fit the threshold on the training scores.
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
        var data = FeatureMatrix.Read(input, options.FeatureColumnName, cancellationToken);
        var spec = NetworkSpec.For(options, data.Columns, data.Rows);
        FeatureStatistics.Check(data, options.FeatureColumnName, spec.NeedsUnitInterval, channel);
        FeatureStatistics.CheckCodeWidth(data.Columns, spec.LatentDimension, options.FeatureColumnName, channel);

        int seed = options.Seed ?? Host.Rand.Next();
        int threads = TorchRuntime.ResolveThreads(options.NumberOfThreads);

        TrainingSettings SettingsFor(int rows, int memberSeed, int targetSteps, int? explicitEpochs)
        {
            int trainingRows = rows - TrainingBudget.ValidationRows(rows, options.ValidationFraction);
            var (batchSize, epochs) = TrainingBudget.Resolve(trainingRows, options.BatchSize, explicitEpochs, targetSteps);
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
            var history = network is AutoencoderEnsemble ensemble
                ? new EnsembleTrainer((rows, memberSeed) => SettingsFor(rows, memberSeed, TrainingBudget.MemberSteps(ensemble.Members.Count),
                    options.Epochs is int e ? AutoencoderOptionsBase.Defaults.MemberEpochsFor(e, ensemble.Members.Count, MemberSubsampleFraction) : null), channel).Train(ensemble, data, MemberSubsampleFraction, seed, cancellationToken)
                : new NetworkTrainer(SettingsFor(data.Rows, seed, TrainingBudget.TargetSteps, options.Epochs), channel).Train(network, data, cancellationToken);
            TorchRuntime.UseThreads(threads);
            using (var rows = TensorBuffers.FromRows(data.Values, data.Rows, data.Columns))
                network.FitScore(rows, options.ScoringBatchSize, seed);
            var model = new ScoringModel(network, threads, options.ScoringBatchSize);
            var trainingScores = model.ScoreAll(data);
            if (spec.ScoreIsMeanSquaredError) FeatureStatistics.CheckFit(data, trainingScores, options.FeatureColumnName, channel);
            float threshold;
            if (options.Contamination is double contamination)
            {
                threshold = ScoreQuantile.Threshold(trainingScores, contamination);
                channel.Info(MessageSensitivity.None, $"Threshold {threshold:G6}: the {1 - contamination:P1} quantile of the training scores.");
            }
            else
            {
                threshold = ScoreQuantile.Automatic(trainingScores, AutoencoderOptionsBase.Defaults.AutomaticThresholdDeviations);
                double flagged = trainingScores.Count(s => s > threshold) / (double)trainingScores.Length;
                channel.Info(MessageSensitivity.None, $"Threshold {threshold:G6}: median + {AutoencoderOptionsBase.Defaults.AutomaticThresholdDeviations:G3} MAD of the training scores (Contamination = null); it flags {flagged:P1} of the training rows.");
            }
            var calibration = ScoreCalibration.Fit(trainingScores);
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
