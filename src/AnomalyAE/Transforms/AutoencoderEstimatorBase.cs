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
        // Fails now, not at Fit, when no output is named or two outputs share a name.
        Outputs = OutputCatalogue.From(Options);
    }

    private protected IHost Host { get; }

    /// <summary>The validated snapshot of the options this estimator trains with.</summary>
    private protected TOptions Options { get; }

    private OutputColumns Outputs { get; }

    /// <summary>Trains on <paramref name="input"/>.</summary>
    public TTransformer Fit(IDataView input) => Fit(input, CancellationToken.None);

    /// <summary>
    /// Trains on <paramref name="input"/>: one pass over the data, the network its options describe for that data, its
    /// training, its scores on the training rows, and the threshold and calibration fitted on them.
    /// <paramref name="cancellationToken"/> is checked between batches.
    /// </summary>
    public TTransformer Fit(IDataView input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        TorchRuntime.EnsureAvailable();
        using var channel = Host.Start("Fit");
        int seed = Options.Seed ?? Host.Rand.Next();
        int threads = TorchRuntime.ResolveThreads(Options.NumberOfThreads);

        var data = ReadData(input, seed, channel, cancellationToken);
        var spec = ResolveSpec(data, channel);
        var network = spec.CreateNetwork(seed);
        try
        {
            var history = new PartsTrainer(Options, spec, threads, channel).Train(network, data, seed, cancellationToken);
            var model = FitScore(network, data, threads, seed);
            var trainingScores = TrainingScores.Of(model, data, seed, cancellationToken);
            if (spec.ScoreIsMeanSquaredError) FeatureStatistics.CheckFit(data.Summary, trainingScores.Mean, Options.FeatureColumnName, channel);
            var threshold = ScoreThreshold.Fit(Options, trainingScores.Distribution, channel);
            var calibration = ScoreCalibration.Fit(trainingScores.Distribution, threshold.Tail);
            return (TTransformer)AutoencoderTransformerBase.Create(new ScoringStage(model, Outputs, Options.FeatureColumnName, threshold.Value, calibration), history);
        }
        catch
        {
            network.Dispose();
            throw;
        }
    }

    /// <summary>The first pass over the feature column: checked, summarized, kept in memory or left to stream.</summary>
    private TrainingData ReadData(IDataView input, int seed, IChannel channel, CancellationToken cancellation)
    {
        var data = TrainingData.Read(input, Options.FeatureColumnName, Options.TrainingMemoryBudget, Options.StreamTraining,
            AutoencoderOptionsBase.Defaults.ScoreSampleRows, seed, cancellation);
        if (data.IsStreamed)
            channel.Info(MessageSensitivity.None, $"Streaming {data.RowCount} rows × {data.Columns} features from the data " +
                (Options.StreamTraining ? "(StreamTraining is set)." : $"({data.RowCount * data.Columns * 4L / (1 << 20)} MB of features is over TrainingMemoryBudget, {Options.TrainingMemoryBudget / (1 << 20)} MB)."));
        return data;
    }

    /// <summary>The spec the options describe for the data (widths left null chosen from it), checked against the data.</summary>
    private Networks.NetworkSpec ResolveSpec(TrainingData data, IChannel channel)
    {
        var spec = Options.ResolveSpec(data.Columns, (int)Math.Min(data.RowCount, int.MaxValue));
        FeatureStatistics.Check(data.Summary, Options.FeatureColumnName, spec.NeedsUnitInterval, channel);
        FeatureStatistics.CheckCodeWidth(data.Columns, spec.LatentDimension, Options.FeatureColumnName, channel);
        return spec;
    }

    /// <summary>
    /// Wraps the trained network for scoring (its layers take their scoring form), then fits the score's parts that come
    /// from the training rows (on the sample when streamed) with the same forms the scores will use.
    /// </summary>
    private ScoringModel FitScore(Networks.AutoencoderNetwork network, TrainingData data, int threads, int seed)
    {
        TorchRuntime.UseThreads(threads);
        var model = new ScoringModel(network, threads, Options.ScoringBatchSize);
        using (var rows = TensorBuffers.FromRows(data.ScoreSample.Values, data.ScoreSample.Rows, data.Columns))
            network.FitScore(rows, Options.ScoringBatchSize, seed);
        return model;
    }

    /// <summary>The input schema plus the columns the fitted transformer will add.</summary>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        FeatureColumn.Check(inputSchema, Options.FeatureColumnName);
        // Vector sizes are not part of a SchemaShape; any sizes give the same column shapes.
        return SchemaShapes.Extend(inputSchema, Outputs.BuildOwnSchema(inputDimension: 1, latentDimension: 1));
    }
}
