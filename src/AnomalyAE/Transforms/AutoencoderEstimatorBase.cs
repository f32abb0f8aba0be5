using AnomalyAE.Networks;
using AnomalyAE.Runtime;
using AnomalyAE.Training;
using AnomalyAE.Transforms;
using Microsoft.ML;
using Microsoft.ML.Runtime;

namespace AnomalyAE;

/// <summary>
/// Shared fitting procedure of the autoencoder estimators: read the feature column once, check it, build the
/// network from the options, train it, and fit the threshold on the training scores.
/// </summary>
/// <typeparam name="TTransformer">The transformer <see cref="Fit(IDataView)"/> returns.</typeparam>
public abstract class AutoencoderEstimatorBase<TTransformer> : IEstimator<TTransformer>
    where TTransformer : AutoencoderTransformerBase
{
    private readonly AutoencoderOptionsBase _options;

    private protected AutoencoderEstimatorBase(MLContext context, AutoencoderOptionsBase options, string name)
    {
        ArgumentNullException.ThrowIfNull(context);
        Host = ((IHostEnvironment)context).Register(name);
        _options = options;
    }

    private protected IHost Host { get; }

    /// <summary>Trains on <paramref name="input"/>.</summary>
    public TTransformer Fit(IDataView input) => Fit(input, CancellationToken.None);

    /// <summary>Trains on <paramref name="input"/>; <paramref name="cancellationToken"/> is checked between batches.</summary>
    public TTransformer Fit(IDataView input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        ValidateOptions();
        TorchRuntime.EnsureAvailable();
        using var channel = Host.Start("Fit");
        var data = FeatureMatrix.Read(input, _options.FeatureColumnName, cancellationToken);
        FeatureStatistics.Check(data, _options.FeatureColumnName, NeedsUnitInterval, channel);

        int seed = _options.Seed ?? Host.Rand.Next();
        int threads = TorchRuntime.ResolveThreads(_options.NumberOfThreads);
        var (hiddenLayers, latentDimension) = DefaultArchitecture.Resolve(data.Columns, _options.HiddenLayers, _options.LatentDimension);
        var spec = CreateSpec(data.Rows) with
        {
            InputDimension = data.Columns,
            HiddenLayers = [.. hiddenLayers],
            LatentDimension = latentDimension,
            Activation = _options.Activation,
            OutputActivation = _options.OutputActivation,
            DropoutRate = _options.DropoutRate,
            BatchNormalization = _options.BatchNormalization,
            Loss = _options.Loss,
        };
        var (ensembleSize, subsampleFraction) = Ensemble;
        if (ensembleSize > 1) spec = AutoencoderEnsembleSpec.Of((AutoencoderSpec)spec, ensembleSize);

        TrainingSettings SettingsFor(int rows, int memberSeed, int targetSteps)
        {
            int trainingRows = rows - TrainingBudget.ValidationRows(rows, _options.ValidationFraction);
            var (batchSize, epochs) = TrainingBudget.Resolve(trainingRows, _options.BatchSize, _options.Epochs, targetSteps);
            FeatureStatistics.CheckSteps(trainingRows, batchSize, epochs, channel);
            return new TrainingSettings
            {
                Optimizer = _options.Optimizer,
                Epochs = epochs,
                BatchSize = batchSize,
                LearningRate = _options.LearningRate,
                WeightDecay = _options.WeightDecay,
                ValidationFraction = _options.ValidationFraction,
                EarlyStoppingPatience = _options.EarlyStoppingPatience,
                TrimmedFraction = _options.RobustTraining ? _options.Contamination : 0,
                Seed = memberSeed,
                Threads = threads,
                DropSingleRowBatch = spec.BatchNormalization,
                Progress = _options.Progress,
            };
        }

        var network = spec.CreateNetwork(seed);
        try
        {
            var history = network is AutoencoderEnsemble ensemble
                ? new EnsembleTrainer((rows, memberSeed) => SettingsFor(rows, memberSeed, TrainingBudget.MemberSteps), channel).Train(ensemble, data, subsampleFraction, seed, cancellationToken)
                : new NetworkTrainer(SettingsFor(data.Rows, seed, TrainingBudget.TargetSteps), channel).Train(network, data, cancellationToken);
            TorchRuntime.UseThreads(threads);
            using (var rows = TensorBuffers.FromRows(data.Values, data.Rows, data.Columns))
                network.FitScore(rows, _options.ScoringBatchSize, seed);
            var model = new ScoringModel(network, threads, _options.ScoringBatchSize);
            var trainingScores = model.ScoreAll(data);
            if (ScoreIsMeanSquaredError) FeatureStatistics.CheckFit(data, trainingScores, _options.FeatureColumnName, channel);
            float threshold = ScoreQuantile.Threshold(trainingScores, _options.Contamination);
            channel.Info(MessageSensitivity.None, $"Threshold {threshold:G6}: the {1 - _options.Contamination:P1} quantile of the training scores.");
            return (TTransformer)AutoencoderTransformerBase.Create(model, CreateOutputs(data.Columns, latentDimension), _options.FeatureColumnName, threshold, history);
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
        ValidateOptions();
        FeatureColumn.Check(inputSchema, _options.FeatureColumnName);
        // Vector sizes are not part of a SchemaShape; any sizes give the same column shapes.
        return SchemaShapes.Extend(inputSchema, CreateOutputs(inputDimension: 1, latentDimension: 1).BuildOwnSchema());
    }

    /// <summary>True when the score is the per-row mean squared reconstruction error (enables the collapse check).</summary>
    private protected abstract bool ScoreIsMeanSquaredError { get; }

    /// <summary>Number of networks trained and the fraction of rows each sees; a single network sees every row.</summary>
    private protected virtual (int Size, double SubsampleFraction) Ensemble => (1, 1.0);

    /// <summary>True when the loss or score needs features in [0, 1].</summary>
    private protected abstract bool NeedsUnitInterval { get; }

    private protected abstract void ValidateOptions();

    /// <summary>The network-specific part of the spec; the shared architecture is filled in from the common options.</summary>
    private protected abstract NetworkSpec CreateSpec(int trainingRows);

    /// <summary>Output columns beyond the four common ones.</summary>
    private protected virtual IEnumerable<OutputColumn> AdditionalOutputs() => [];

    private OutputColumns CreateOutputs(int inputDimension, int latentDimension)
    {
        var columns = new List<OutputColumn>();
        void Add(string? name, OutputKind kind) { if (name is not null) columns.Add(new OutputColumn(name, kind)); }
        Add(_options.ScoreColumnName, OutputKind.Score);
        Add(_options.PredictedLabelColumnName, OutputKind.PredictedLabel);
        Add(_options.LatentFeaturesColumnName, OutputKind.LatentFeatures);
        Add(_options.ReconstructionColumnName, OutputKind.Reconstruction);
        columns.AddRange(AdditionalOutputs());
        OptionsValidation.Distinct(columns.Select(c => c.Name).ToArray());
        return new OutputColumns(columns, inputDimension, latentDimension);
    }
}
