using AnomalyAE.Series;
using AnomalyAE.Transforms;
using Microsoft.ML;
using Microsoft.ML.Runtime;

namespace AnomalyAE;

/// <summary>
/// Trains an autoencoder over sliding windows of one or more time series (see <see cref="SequenceAutoencoderOptions"/>) and
/// returns a <see cref="SequenceAutoencoderTransformer"/> that scores every row (time step) by the reconstruction errors of
/// the windows that cover it. Create it with <c>mlContext.Autoencoders().SequenceAutoencoder(...)</c>.
/// </summary>
/// <remarks>
/// <c>Fit</c> reads the rows one series at a time in time order (sorting each series by the order column when its steps fit in
/// <see cref="AutoencoderOptionsBase.TrainingMemoryBudget"/>), cuts every series into windows of
/// <see cref="SequenceAutoencoderOptions.WindowSize"/> steps every <see cref="SequenceAutoencoderOptions.TrainingStride"/>
/// steps, and trains the window network on them with the tabular estimators' fitting steps: ensembles, robust and streamed
/// training. The windows are produced afresh on every pass, so series longer than memory train streamed. Under a score
/// baseline (<see cref="SequenceAutoencoderOptions.ScoreBaselineSteps"/>, the default) one more pass scores every training
/// window in time order, and the threshold and the probability calibration are fitted on the steps' relative scores; without
/// one, on the training windows' scores.
/// </remarks>
public sealed class SequenceAutoencoderEstimator : IEstimator<SequenceAutoencoderTransformer>
{
    private readonly MLContext _context;
    private readonly IHost _host;
    private readonly SequenceAutoencoderOptions _options;
    private readonly OutputColumns _outputs;

    internal SequenceAutoencoderEstimator(MLContext context, SequenceAutoencoderOptions options)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(options);
        _context = context;
        _host = ((IHostEnvironment)context).Register(nameof(SequenceAutoencoderEstimator));
        _options = (SequenceAutoencoderOptions)options.Copy();
        _options.Validate();
        _outputs = OutputCatalogue.From(_options);
    }

    /// <summary>Trains on <paramref name="input"/>: one row per time step (see <see cref="SequenceAutoencoderOptions"/>).</summary>
    public SequenceAutoencoderTransformer Fit(IDataView input) => Fit(input, CancellationToken.None);

    /// <summary>Trains on <paramref name="input"/>; <paramref name="cancellationToken"/> is checked between batches.</summary>
    public SequenceAutoencoderTransformer Fit(IDataView input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var channels = SeriesInput.Bind(input.Schema, SeriesSettings.From(_options, channels: 1), expectedChannels: null).Channels;
        var settings = SeriesSettings.From(_options, channels);
        var series = SeriesInput.Bind(input.Schema, settings, channels);
        using var channel = _host.Start("Fit");
        var openSteps = OpenSteps(input, series, channel, cancellationToken);
        var windows = new SlidingWindowDataView(openSteps, settings, _options.TrainingStride, SequenceAutoencoderOptions.WindowColumnName);
        channel.Info(MessageSensitivity.None, $"Windows of {settings.WindowSize} steps × {channels} channels ({settings.ChannelSource}), every {_options.TrainingStride} step(s)" +
            (settings.SeriesColumnName is { } s ? $", per series of '{s}'." : "."));

        var windowOptions = (SequenceAutoencoderOptions)_options.Copy();
        windowOptions.FeatureColumnName = SequenceAutoencoderOptions.WindowColumnName;
        windowOptions.ChannelColumnNames = null;
        windowOptions.SeriesColumnName = null;
        windowOptions.OrderColumnName = null;
        windowOptions.Seed = _options.Seed ?? _host.Rand.Next();
        var windowModel = new WindowAutoencoderEstimator(_context, windowOptions).Fit(windows, cancellationToken);
        if (_options.ScoreBaselineSteps == 0) return new SequenceAutoencoderTransformer(windowModel, settings, _outputs);
        try
        {
            var scores = TrainingWindowScores.Read(windowModel.Model, openSteps, settings, cancellationToken);
            return new SequenceAutoencoderTransformer(windowModel, settings with { Baseline = TrainingWindowScores.FitBaseline(_options, scores, channel) }, _outputs);
        }
        catch
        {
            windowModel.Dispose();
            throw;
        }
    }

    /// <summary>The steps in time order: sorted in memory when there is an order column and they fit, else read as they come.</summary>
    private Func<IStepCursor> OpenSteps(IDataView input, SeriesInput series, IChannel channel, CancellationToken cancellation)
    {
        const string fix = "Sort the rows by it within each series, or train with them in memory (StreamTraining = false and a larger TrainingMemoryBudget) so they are sorted for you.";
        if (series.OrderColumn is not null && !_options.StreamTraining && SortedSteps.Read(input, series, _options.TrainingMemoryBudget, cancellation) is { } sorted)
        {
            if (sorted.Reordered) channel.Info(MessageSensitivity.None, $"Sorted the {sorted.Count} rows by '{series.OrderColumn.Value.Name}' within each series.");
            return sorted.Open;
        }
        return () => new DataViewSteps(input, series, fix);
    }

    /// <summary>The input schema plus the columns the fitted transformer will add.</summary>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        SeriesInput.Check(inputSchema, SeriesSettings.From(_options, channels: 1));
        return SchemaShapes.Extend(inputSchema, _outputs.BuildOwnSchema(inputDimension: 1, latentDimension: 1));
    }
}
