namespace AnomalyAE;

/// <summary>Range checks on options, with messages that name the option, the allowed range and the value given.</summary>
internal static class OptionsValidation
{
    private const int MaxWidth = 1 << 16;
    public const int MaxEnsembleSize = 256;

    public static void Validate(AutoencoderOptionsBase o)
    {
        ArgumentNullException.ThrowIfNull(o);
        if (string.IsNullOrWhiteSpace(o.FeatureColumnName))
            throw new ArgumentException("FeatureColumnName must name the input column (a known-size vector of Single).", nameof(o.FeatureColumnName));
        for (int i = 0; i < o.HiddenLayers?.Length; i++)
            Range(nameof(o.HiddenLayers) + $"[{i}]", o.HiddenLayers[i], 1, MaxWidth);
        if (o.LatentDimension is int latent) Range(nameof(o.LatentDimension), latent, 1, MaxWidth);
        Defined(nameof(o.Activation), o.Activation);
        Defined(nameof(o.OutputActivation), o.OutputActivation);
        Defined(nameof(o.Loss), o.Loss);
        Defined(nameof(o.Optimizer), o.Optimizer);
        Range(nameof(o.DropoutRate), o.DropoutRate, 0, 1, upperInclusive: false);
        if (o.Epochs is int epochs) Range(nameof(o.Epochs), epochs, 1, 1_000_000);
        if (o.BatchSize is int batchSize) Range(nameof(o.BatchSize), batchSize, 1, 1 << 20);
        Range(nameof(o.ScoringBatchSize), o.ScoringBatchSize, 1, 1 << 20);
        Range(nameof(o.LearningRate), o.LearningRate, 0, 10, lowerInclusive: false);
        Range(nameof(o.WeightDecay), o.WeightDecay, 0, 10);
        Range(nameof(o.ValidationFraction), o.ValidationFraction, 0, 1, upperInclusive: false);
        Range(nameof(o.EarlyStoppingPatience), o.EarlyStoppingPatience, 0, 1_000_000);
        if (o.Contamination is double contamination) Range(nameof(o.Contamination), contamination, 0, 0.5);
        if (o.NumberOfThreads is int threads) Range(nameof(o.NumberOfThreads), threads, 1, 1024);
        o.ValidateStreaming();
        if (o.Loss == ReconstructionLoss.BinaryCrossEntropy && o.OutputActivation != AutoencoderActivation.Sigmoid)
            throw new ArgumentException("Loss BinaryCrossEntropy needs OutputActivation Sigmoid (reconstructions must be probabilities in (0, 1)); " +
                $"got OutputActivation {o.OutputActivation}. Set OutputActivation = AutoencoderActivation.Sigmoid, or use Loss MeanSquaredError.", nameof(o.OutputActivation));
        var names = new[] { o.ScoreColumnName, o.PredictedLabelColumnName, o.LatentFeaturesColumnName, o.ReconstructionColumnName, o.FeatureContributionsColumnName, o.ProbabilityColumnName }.Where(n => n is not null).ToArray();
        if (names.Length == 0)
            throw new ArgumentException("Every output column name is null: the transformer would add nothing. Keep at least one of ScoreColumnName, PredictedLabelColumnName, LatentFeaturesColumnName, ReconstructionColumnName, FeatureContributionsColumnName, ProbabilityColumnName.");
        Distinct(names!);
    }

    public static void Validate(AutoencoderOptions o)
    {
        Validate((AutoencoderOptionsBase)o);
        Defined(nameof(o.LatentActivation), o.LatentActivation);
        Defined(nameof(o.Sparsity), o.Sparsity);
        Defined(nameof(o.Noise), o.Noise);
        Defined(nameof(o.ErrorMetric), o.ErrorMetric);
        Defined(nameof(o.ScoreKind), o.ScoreKind);
        Range(nameof(o.SparsityWeight), o.SparsityWeight, 0, 1e6);
        Range(nameof(o.EnsembleSize), o.EnsembleSize, 1, MaxEnsembleSize);
        if (o.SubsampleFraction is double fraction) Range(nameof(o.SubsampleFraction), fraction, 0, 1, lowerInclusive: false);
        Range(nameof(o.SparsityTarget), o.SparsityTarget, 0, 1, lowerInclusive: false, upperInclusive: false);
        if (o.Noise == InputNoise.Masking) Range(nameof(o.NoiseLevel), o.NoiseLevel, 0, 1, upperInclusive: false);
        else Range(nameof(o.NoiseLevel), o.NoiseLevel, 0, 1e6);
        if (o.Sparsity == SparsityPenalty.KullbackLeibler && o.LatentActivation != AutoencoderActivation.Sigmoid)
            throw new ArgumentException("Sparsity KullbackLeibler compares each latent unit's mean activation with SparsityTarget, so the latent layer " +
                $"must output rates in (0, 1); got LatentActivation {o.LatentActivation}. Set LatentActivation = AutoencoderActivation.Sigmoid, or use Sparsity L1.", nameof(o.LatentActivation));
    }

    public static void Validate(VariationalAutoencoderOptions o)
    {
        Validate((AutoencoderOptionsBase)o);
        Range(nameof(o.Beta), o.Beta, 0, 1e6);
        Range(nameof(o.KlWarmupEpochs), o.KlWarmupEpochs, 0, 1_000_000);
        Range(nameof(o.ScoreSamples), o.ScoreSamples, 1, 10_000);
        Defined(nameof(o.ScoreKind), o.ScoreKind);
    }

    public static void Distinct(IReadOnlyList<string> names)
    {
        var duplicate = names.GroupBy(n => n).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
            throw new ArgumentException($"Output column name '{duplicate.Key}' is used for more than one output; give each output its own name (or null to not emit it).");
    }

    public static void Range(string name, double value, double min, double max, bool lowerInclusive = true, bool upperInclusive = true)
    {
        bool ok = double.IsFinite(value)
            && (lowerInclusive ? value >= min : value > min)
            && (upperInclusive ? value <= max : value < max);
        if (!ok)
            throw new ArgumentOutOfRangeException(name, value,
                $"{name} must be in {(lowerInclusive ? "[" : "(")}{min}, {max}{(upperInclusive ? "]" : ")")}; got {value}.");
    }

    public static void Defined<TEnum>(string name, TEnum value) where TEnum : struct, Enum
    {
        if (!Enum.IsDefined(value))
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be one of {string.Join(", ", Enum.GetNames<TEnum>())}; got {value}.");
    }
}
