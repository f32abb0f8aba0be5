using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace AnomalyAE.Stress;

/// <summary>
/// Trains every network variant and option family, and scores pre-trained models on another thread, while a third thread
/// allocates garbage and forces collections and finalizers, as a busy host does. A native handle whose managed owner is
/// not kept alive across its native call (an implicit TorchSharp <c>Scalar</c>, say) is then freed mid-call, and libtorch
/// fails ("Unknown scalar type", "Expected false to be true … Scalar.h") or reads freed memory. Public API only: the
/// CI test (<c>GcStressTests</c>) runs it briefly, <c>bench/AnomalyAE.GcStress</c> runs it long.
/// </summary>
public static class GcStress
{
    /// <summary>How much to run.</summary>
    /// <param name="Fits">Fits in all, cycling through <see cref="Variants"/>.</param>
    /// <param name="Rows">Training rows per fit (8 features each).</param>
    /// <param name="Seed">Seed of the data and of the first fit; fit i uses Seed + i.</param>
    /// <param name="Duration">When set, no new fit starts after this long, once every variant has been fitted.</param>
    public sealed record Settings(int Fits, int Rows = 256, int Seed = 1, TimeSpan? Duration = null);

    /// <summary>What happened: counts and the first message of each distinct failure.</summary>
    public sealed record Report(int Fits, int FitFailures, int ScoringLoops, int ScoringFailures, int Collections, TimeSpan Elapsed, IReadOnlyList<string> Failures)
    {
        public override string ToString() =>
            $"{Fits} fits ({FitFailures} failed), {ScoringLoops} scoring loops ({ScoringFailures} failed), {Collections} forced collections, {Elapsed.TotalMinutes:F1} min" +
            string.Concat(Failures.Select(f => Environment.NewLine + "  " + f));
    }

    public const int Features = 8;

    /// <summary>Every variant and option family of the estimators, each as a small fit.</summary>
    public static IReadOnlyList<(string Name, Func<MLContext, int, IEstimator<ITransformer>> Create)> Variants { get; } =
    [
        ("autoencoder", (ml, seed) => Autoencoder(ml, seed, o => { o.EnsembleSize = 1; o.ScoreKind = AutoencoderScoreKind.ReconstructionError; })),
        ("default ensemble", (ml, seed) => Autoencoder(ml, seed, o => { o.FeatureContributionsColumnName = "Contributions"; })),
        ("robust ensemble", (ml, seed) => Autoencoder(ml, seed, o => { o.EnsembleSize = 3; o.RobustTraining = true; })),
        ("latent neighbours", (ml, seed) => Autoencoder(ml, seed, o => { o.EnsembleSize = 1; o.ScoreKind = AutoencoderScoreKind.LatentNeighborDistance; })),
        ("denoising gaussian", (ml, seed) => Autoencoder(ml, seed, o => { o.EnsembleSize = 1; o.Noise = InputNoise.Gaussian; o.NoiseLevel = 0.1; })),
        ("denoising masking", (ml, seed) => Autoencoder(ml, seed, o => { o.EnsembleSize = 1; o.Noise = InputNoise.Masking; o.NoiseLevel = 0.2; })),
        ("sparse L1", (ml, seed) => Autoencoder(ml, seed, o => { o.EnsembleSize = 1; o.Sparsity = SparsityPenalty.L1; o.SparsityWeight = 1e-3; })),
        ("sparse KL", (ml, seed) => Autoencoder(ml, seed, o =>
        {
            o.EnsembleSize = 1; o.Sparsity = SparsityPenalty.KullbackLeibler; o.LatentActivation = AutoencoderActivation.Sigmoid; o.SparsityWeight = 1e-2;
        })),
        ("batch norm, dropout, leaky ReLU", (ml, seed) => Autoencoder(ml, seed, o =>
        {
            o.EnsembleSize = 1; o.BatchNormalization = true; o.DropoutRate = 0.1; o.Activation = AutoencoderActivation.LeakyReLU;
        })),
        ("ELU, AdamW", (ml, seed) => Autoencoder(ml, seed, o =>
        {
            o.EnsembleSize = 1; o.Activation = AutoencoderActivation.ELU; o.Optimizer = AutoencoderOptimizer.AdamW; o.WeightDecay = 1e-2;
        })),
        ("GELU, SGD, mean absolute error", (ml, seed) => Autoencoder(ml, seed, o =>
        {
            o.EnsembleSize = 1; o.Activation = AutoencoderActivation.GELU; o.Optimizer = AutoencoderOptimizer.Sgd; o.WeightDecay = 1e-3;
            o.LearningRate = 1e-2; o.ErrorMetric = ReconstructionErrorMetric.MeanAbsoluteError;
        })),
        ("tanh, cross-entropy, early stopping", (ml, seed) => Autoencoder(ml, seed, o =>
        {
            o.EnsembleSize = 1; o.Activation = AutoencoderActivation.Tanh; o.OutputActivation = AutoencoderActivation.Sigmoid;
            o.Loss = ReconstructionLoss.BinaryCrossEntropy; o.ErrorMetric = ReconstructionErrorMetric.BinaryCrossEntropy;
            o.EarlyStoppingPatience = 1; o.Epochs = 4;
        })),
        ("streamed ensemble", (ml, seed) => Autoencoder(ml, seed, o => { o.EnsembleSize = 2; o.StreamTraining = true; o.ShuffleBufferSize = 64; })),
        ("VAE reconstruction error", (ml, seed) => Variational(ml, seed, o => { o.ScoreKind = VariationalScoreKind.ReconstructionError; })),
        ("VAE negative ELBO, KL warm-up", (ml, seed) => Variational(ml, seed, o => { o.ScoreKind = VariationalScoreKind.NegativeElbo; o.KlWarmupEpochs = 2; })),
        ("VAE reconstruction probability, streamed", (ml, seed) => Variational(ml, seed, o =>
        {
            o.ScoreKind = VariationalScoreKind.ReconstructionProbability; o.ScoreSamples = 4; o.StreamTraining = true;
        })),
        ("sequence dense, contributions", (ml, seed) => Sequence(ml, seed, o => { o.FeatureContributionsColumnName = "Contributions"; })),
        ("sequence convolutional", (ml, seed) => Sequence(ml, seed, o => { o.Architecture = SequenceArchitecture.Convolutional; })),
        ("sequence GRU", (ml, seed) => Sequence(ml, seed, o => { o.Architecture = SequenceArchitecture.Recurrent; })),
        ("sequence LSTM ensemble, robust", (ml, seed) => Sequence(ml, seed, o =>
        {
            o.Architecture = SequenceArchitecture.Recurrent; o.Cell = RecurrentCell.Lstm; o.EnsembleSize = 2; o.RobustTraining = true;
        })),
        ("sequence streamed", (ml, seed) => Sequence(ml, seed, o => { o.StreamTraining = true; o.ShuffleBufferSize = 64; })),
    ];

    /// <summary>Runs the fits on this thread and the scoring loop on another while a third forces collections.</summary>
    public static Report Run(Settings settings, TextWriter? log = null, CancellationToken cancellation = default)
    {
        var ml = new MLContext(settings.Seed);
        var train = Data(ml, settings.Rows, settings.Seed);
        var score = Data(ml, 512, settings.Seed + 1);
        var failures = new List<string>();
        int fitFailures = 0, scoringFailures = 0, scoringLoops = 0, collections = 0;
        void Fail(string what, Exception e)
        {
            lock (failures)
            {
                string message = $"{what}: {e.GetType().Name}: {e.Message.Split('\n')[0]}";
                if (failures.Count < 20 && !failures.Contains(message)) failures.Add(message);
                log?.WriteLine("FAILED " + message);
            }
        }

        using var scorers = new Scorers(ml, train);
        using var stop = new CancellationTokenSource();
        var clock = Stopwatch.StartNew();
        var collector = new Thread(() =>
        {
            // Mostly young-generation collections, which are cheap and so frequent, and reach the temporaries a native call
            // may still be reading; every 64th a full one, as a busy host's would.
            for (long i = 0; !stop.IsCancellationRequested; i++)
            {
                GC.Collect(i % 64 == 0 ? GC.MaxGeneration : 0, GCCollectionMode.Forced, blocking: true);
                GC.WaitForPendingFinalizers();
                Interlocked.Increment(ref collections);
            }
        }) { IsBackground = true, Name = "forced collections" };
        var scorer = new Thread(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                foreach (var (name, run) in scorers.Loops)
                {
                    try { run(score); }
                    catch (Exception e) { Interlocked.Increment(ref scoringFailures); Fail("scoring " + name, e); }
                }
                Interlocked.Increment(ref scoringLoops);
            }
        }) { IsBackground = true, Name = "scoring" };
        collector.Start();
        scorer.Start();
        int fits = 0;
        try
        {
            bool TimeLeft() => settings.Duration is not { } duration || fits < Variants.Count || clock.Elapsed < duration;
            for (; fits < settings.Fits && TimeLeft() && !cancellation.IsCancellationRequested; fits++)
            {
                var (name, create) = Variants[fits % Variants.Count];
                try
                {
                    using var model = (IDisposable)create(ml, settings.Seed + fits).Fit(train);
                    var scores = ((ITransformer)model).Transform(score).GetColumn<float>("Score").ToArray();
                    if (scores.Any(s => !float.IsFinite(s))) throw new InvalidOperationException("a score is not finite");
                }
                catch (Exception e) { fitFailures++; Fail("fit " + name, e); }
                if ((fits + 1) % 50 == 0) log?.WriteLine($"{fits + 1} fits, {fitFailures} failed; {scoringLoops} scoring loops, {scoringFailures} failed; {clock.Elapsed.TotalMinutes:F1} min");
            }
        }
        finally
        {
            stop.Cancel();
            scorer.Join();
            collector.Join();
        }
        return new Report(fits, fitFailures, scoringLoops, scoringFailures, collections, clock.Elapsed, failures);
    }

    private static IEstimator<ITransformer> Autoencoder(MLContext ml, int seed, Action<AutoencoderOptions> configure)
    {
        var options = Small(new AutoencoderOptions(), seed);
        configure(options);
        return Normalize(ml).Append(ml.Autoencoders().Autoencoder(options));
    }

    private static IEstimator<ITransformer> Variational(MLContext ml, int seed, Action<VariationalAutoencoderOptions> configure)
    {
        var options = Small(new VariationalAutoencoderOptions(), seed);
        configure(options);
        return Normalize(ml).Append(ml.Autoencoders().VariationalAutoencoder(options));
    }

    // Steps of 8 channels in windows of 8; every row scored (the mean of the windows covering it), so no score is NaN.
    private static IEstimator<ITransformer> Sequence(MLContext ml, int seed, Action<SequenceAutoencoderOptions> configure)
    {
        var options = Small(new SequenceAutoencoderOptions { WindowSize = 8, ScoreAggregation = WindowScoreAggregation.MeanOfCoveringWindows }, seed);
        configure(options);
        return Normalize(ml).Append(ml.Autoencoders().SequenceAutoencoder(options));
    }

    // Features in [0, 1], so that the cross-entropy variant applies too.
    private static IEstimator<ITransformer> Normalize(MLContext ml) => ml.Transforms.NormalizeMinMax("Features", fixZero: false);

    private static T Small<T>(T options, int seed) where T : AutoencoderOptionsBase
    {
        options.HiddenLayers = [16];
        options.LatentDimension = 3;
        options.Epochs = 2;
        options.BatchSize = 32;
        options.Seed = seed;
        options.NumberOfThreads = 1;
        return options;
    }

    /// <summary>Rows near a 2-D manifold in 8 dimensions with a few scattered ones.</summary>
    public static IDataView Data(MLContext ml, int rows, int seed)
    {
        var random = new Random(seed);
        var features = new float[rows][];
        for (int r = 0; r < rows; r++)
        {
            double a = random.NextDouble() * 2 - 1, b = random.NextDouble() * 2 - 1;
            bool outlier = r % 50 == 0;
            features[r] = [.. Enumerable.Range(0, Features).Select(i => (float)(outlier ? random.NextDouble() * 2 - 1 : Math.Tanh(a * (i % 3 - 1) + b * ((i + 1) % 2) + 0.1 * i)))];
        }
        return new DataViews.ColumnarDataView.Builder().AddVector("Features", Features, features).Build();
    }

    /// <summary>Pre-trained models and the ways a host scores with them.</summary>
    private sealed class Scorers : IDisposable
    {
        private readonly List<IDisposable> _owned = [];
        private readonly string _folder = Directory.CreateTempSubdirectory("anomalyae-gc-stress-").FullName;

        public Scorers(MLContext ml, IDataView train)
        {
            var ensemble = Own(Autoencoder(ml, 11, o => { o.EnsembleSize = 3; o.FeatureContributionsColumnName = "Contributions"; }).Fit(train));
            var vae = Own(Variational(ml, 12, o => { o.ScoreKind = VariationalScoreKind.ReconstructionProbability; o.ScoreSamples = 4; }).Fit(train));
            string onnxPath = Path.Combine(_folder, "ensemble.onnx");
            ml.Autoencoders().ExportToOnnx(ensemble, train.Schema, onnxPath);
            var onnx = Own(ml.Autoencoders().Load(onnxPath, out _));
            var sequence = Own(Sequence(ml, 13, o => { o.Architecture = SequenceArchitecture.Recurrent; o.FeatureContributionsColumnName = "Contributions"; }).Fit(train));
            var ensembleEngine = Own(ml.Model.CreatePredictionEngine<Input, Output>(ensemble, new PredictionEngineOptions { OwnsTransformer = false }));
            var vaeEngine = Own(ml.Model.CreatePredictionEngine<Input, Output>(vae, new PredictionEngineOptions { OwnsTransformer = false }));
            Loops =
            [
                ("ensemble Transform", data => ReadAll(ensemble.Transform(data))),
                ("VAE Transform", data => ReadAll(vae.Transform(data))),
                ("ONNX Runtime Transform", data => ReadAll(onnx.Transform(data))),
                ("sequence GRU Transform", data => ReadAll(sequence.Transform(data))),
                ("ensemble PredictionEngine", data => Predict(ensembleEngine, data)),
                ("VAE PredictionEngine", data => Predict(vaeEngine, data)),
            ];
        }

        public IReadOnlyList<(string Name, Action<IDataView> Run)> Loops { get; }

        private T Own<T>(T model)
        {
            if (model is IDisposable disposable) _owned.Add(disposable);
            return model;
        }

        private static void ReadAll(IDataView scored)
        {
            using var cursor = scored.GetRowCursor(scored.Schema);
            var getters = scored.Schema.Where(c => c.Type == NumberDataViewType.Single).Select(cursor.GetGetter<float>).ToList();
            float value = 0;
            while (cursor.MoveNext())
                foreach (var getter in getters)
                {
                    getter(ref value);
                    if (float.IsNaN(value)) throw new InvalidOperationException("a scored value is NaN");
                }
        }

        private static void Predict(PredictionEngine<Input, Output> engine, IDataView data)
        {
            var output = new Output();
            foreach (var features in data.GetColumn<float[]>("Features").Take(64))
            {
                engine.Predict(new Input { Features = features }, ref output);
                if (!float.IsFinite(output.Score)) throw new InvalidOperationException("a score is not finite");
            }
        }

        public void Dispose()
        {
            foreach (var model in _owned.AsEnumerable().Reverse()) model.Dispose();
            Directory.Delete(_folder, recursive: true);
        }
    }

    private sealed class Input
    {
        [VectorType(GcStress.Features)] public float[] Features { get; set; } = [];
    }

    private sealed class Output
    {
        public float Score { get; set; }
        public bool PredictedLabel { get; set; }
    }
}
