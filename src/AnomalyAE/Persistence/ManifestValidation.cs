using AnomalyAE.Networks;
using AnomalyAE.Transforms;

namespace AnomalyAE.Persistence;

/// <summary>
/// Checks every value of a manifest by the same rules as the options (ranges, enums, consistent dimensions, finite
/// thresholds, valid column names) and the entry names against the stage list, so that nothing a file says can make the
/// reader or libtorch misbehave. Failures are <see cref="InvalidDataException"/>s naming the file, the stage and the value.
/// </summary>
internal static class ManifestValidation
{
    public static void Validate(ModelManifest manifest, string source)
    {
        if (manifest.Stages is not { Count: > 0 }) throw new InvalidDataException($"{source} has no stages.");
        if (manifest.Stages.Count > ModelLimits.Stages) throw new InvalidDataException($"{source} has {manifest.Stages.Count} stages; at most {ModelLimits.Stages} are supported.");
        if (manifest.Checksums is null) throw new InvalidDataException($"{source}: the manifest has no checksums.");
        var expectedEntries = new HashSet<string>(StringComparer.Ordinal) { ModelManifest.InputSchemaEntry };
        for (int i = 0; i < manifest.Stages.Count; i++)
        {
            var stage = manifest.Stages[i] ?? throw new InvalidDataException($"{source}: stage {i} is empty.");
            string where = $"{source}: stage {i}";
            if (stage.Kind is not (StageRecord.MLNetKind or StageRecord.NetworkKind))
                throw new InvalidDataException($"{where} has an unknown kind '{stage.Kind}'.");
            string entry = ModelManifest.StageEntry(i, stage.Kind);
            if (stage.Entry != entry) throw new InvalidDataException($"{where} names part '{stage.Entry}'; expected '{entry}'.");
            expectedEntries.Add(entry);
            if (stage.Kind == StageRecord.NetworkKind) ValidateNetworkStage(stage, where);
        }
        if (manifest.SingleTransformer && (manifest.Stages.Count != 1 || manifest.Stages[0].Kind != StageRecord.NetworkKind))
            throw new InvalidDataException($"{source} says it holds a single autoencoder transformer, but its stages say otherwise.");
        foreach (var (name, checksum) in manifest.Checksums)
        {
            if (!expectedEntries.Contains(name)) throw new InvalidDataException($"{source}: the manifest has a checksum for '{name}', which is no part of the model.");
            if (checksum is not { Length: 64 } || !checksum.All(char.IsAsciiHexDigitLower))
                throw new InvalidDataException($"{source}: the checksum of '{name}' is not a lowercase hex SHA-256.");
        }
        var missing = expectedEntries.FirstOrDefault(e => !manifest.Checksums.ContainsKey(e));
        if (missing is not null) throw new InvalidDataException($"{source}: the manifest has no checksum for '{missing}'.");
    }

    private static void ValidateNetworkStage(StageRecord stage, string where)
    {
        var spec = stage.Spec ?? throw new InvalidDataException($"{where} has no network spec.");
        if (stage.Outputs is null || stage.FeatureColumnName is null || stage.Threshold is null)
            throw new InvalidDataException($"{where} is incomplete (feature column, outputs or threshold missing).");
        ValidateSpec(spec, where);
        ColumnName(stage.FeatureColumnName, "FeatureColumnName", where);
        if (stage.Outputs.Count is 0 or > ModelLimits.OutputColumns)
            throw new InvalidDataException($"{where} has {stage.Outputs.Count} output columns; expected 1 to {ModelLimits.OutputColumns}.");
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var output in stage.Outputs)
        {
            if (output is null) throw new InvalidDataException($"{where} has an empty output column.");
            ColumnName(output.Name, "output column name", where);
            Defined(output.Kind, "output column kind", where);
            if (!names.Add(output.Name)) throw new InvalidDataException($"{where} names two output columns '{output.Name}'.");
        }
        if (stage.Calibration is { } calibration && Training.ScoreCalibration.Problem(calibration.Scores, calibration.Probabilities) is { } problem)
            throw new InvalidDataException($"{where}: the score calibration is invalid: {problem}. The file was edited or damaged; save the model again.");
        if (stage.Calibration is null && stage.Outputs.Any(o => o.Kind == OutputKind.Probability))
            throw new InvalidDataException($"{where} emits a probability column but holds no score calibration. The file was edited or damaged; save the model again.");
        if (!float.IsFinite(stage.Threshold.Value)) throw new InvalidDataException($"{where}: Threshold must be a finite number; got {stage.Threshold.Value}.");
        if (stage.History is { Count: > ModelLimits.HistoryEntries }) throw new InvalidDataException($"{where} has {stage.History.Count:N0} history entries; at most {ModelLimits.HistoryEntries:N0}.");
        if (stage.History?.Any(h => h is null) == true) throw new InvalidDataException($"{where} has an empty history entry.");
        if (stage.Threads is int threads) Range(threads, 1, ModelLimits.Threads, "Threads", where);
        if (stage.ScoringBatchSize is int batch) Range(batch, 1, ModelLimits.ScoringBatchSize, "ScoringBatchSize", where);
    }

    /// <summary>The spec's architecture and score settings, by the options' rules.</summary>
    public static void ValidateSpec(NetworkSpec spec, string where)
    {
        Range(spec.InputDimension, 1, ModelLimits.Width, "InputDimension", where);
        Range(spec.LatentDimension, 1, ModelLimits.Width, "LatentDimension", where);
        if (spec.HiddenLayers is null || spec.HiddenLayers.Length > ModelLimits.HiddenLayers)
            throw new InvalidDataException($"{where}: HiddenLayers must list at most {ModelLimits.HiddenLayers} widths.");
        for (int i = 0; i < spec.HiddenLayers.Length; i++) Range(spec.HiddenLayers[i], 1, ModelLimits.Width, $"HiddenLayers[{i}]", where);
        Defined(spec.Activation, "Activation", where);
        Defined(spec.OutputActivation, "OutputActivation", where);
        Defined(spec.Loss, "Loss", where);
        Range(spec.DropoutRate, 0, 1, "DropoutRate", where, upperInclusive: false);
        if (spec.Loss == ReconstructionLoss.BinaryCrossEntropy && spec.OutputActivation != AutoencoderActivation.Sigmoid)
            throw new InvalidDataException($"{where}: Loss BinaryCrossEntropy needs OutputActivation Sigmoid; got {spec.OutputActivation}.");
        switch (spec)
        {
            case AutoencoderSpec ae:
                ValidateAutoencoder(ae, where);
                break;
            case VariationalAutoencoderSpec vae:
                Range(vae.Beta, 0, 1e6, "Beta", where);
                Range(vae.KlWarmupEpochs, 0, 1_000_000, "KlWarmupEpochs", where);
                Defined(vae.ScoreKind, "ScoreKind", where);
                Range(vae.ScoreSamples, 1, ModelLimits.ScoreSamples, "ScoreSamples", where);
                break;
            case AutoencoderEnsembleSpec ensemble:
                Range(ensemble.Size, 1, OptionsValidation.MaxEnsembleSize, "ensemble Size", where);
                var member = ensemble.Member ?? throw new InvalidDataException($"{where}: the ensemble has no member spec.");
                ValidateSpec(member, where + " (ensemble member)");
                if (member.InputDimension != spec.InputDimension || member.LatentDimension != spec.LatentDimension
                    || !member.HiddenLayers.SequenceEqual(spec.HiddenLayers) || member.Activation != spec.Activation
                    || member.OutputActivation != spec.OutputActivation || member.DropoutRate != spec.DropoutRate
                    || member.BatchNormalization != spec.BatchNormalization || member.Loss != spec.Loss)
                    throw new InvalidDataException($"{where}: the ensemble's architecture differs from its member's.");
                break;
            default:
                throw new InvalidDataException($"{where} has a network of unknown kind ({spec.GetType().Name}).");
        }
    }

    private static void ValidateAutoencoder(AutoencoderSpec ae, string where)
    {
        Defined(ae.LatentActivation, "LatentActivation", where);
        Defined(ae.Sparsity, "Sparsity", where);
        Defined(ae.Noise, "Noise", where);
        Defined(ae.ErrorMetric, "ErrorMetric", where);
        Defined(ae.ScoreKind, "ScoreKind", where);
        Range(ae.SparsityWeight, 0, 1e6, "SparsityWeight", where);
        Range(ae.SparsityTarget, 0, 1, "SparsityTarget", where, lowerInclusive: false, upperInclusive: false);
        if (ae.Noise == InputNoise.Masking) Range(ae.NoiseLevel, 0, 1, "NoiseLevel", where, upperInclusive: false);
        else Range(ae.NoiseLevel, 0, 1e6, "NoiseLevel", where);
        if (ae.Sparsity == SparsityPenalty.KullbackLeibler && ae.LatentActivation != AutoencoderActivation.Sigmoid)
            throw new InvalidDataException($"{where}: Sparsity KullbackLeibler needs LatentActivation Sigmoid; got {ae.LatentActivation}.");
        if (ae.ScoreKind == AutoencoderScoreKind.ReconstructionError) Range(ae.ReferenceRows, 0, LatentNeighbors.MaxReferenceRows, "ReferenceRows", where);
        else Range(ae.ReferenceRows, 1, LatentNeighbors.MaxReferenceRows, "ReferenceRows", where);
    }

    /// <summary>
    /// Bounds on the serialized size of a network's weights, from its spec alone (nothing is allocated): the floats of its
    /// dense layers and fixed-size buffers at least, plus batch-norm statistics and per-tensor headers at most.
    /// </summary>
    public static (long Min, long Max) WeightBytes(NetworkSpec spec, string where)
    {
        var (min, max) = Floats(spec);
        double minBytes = 4 * min, maxBytes = 4 * max + 64 * 1024;
        if (minBytes > ModelLimits.WeightBytes)
            throw new InvalidDataException($"{where}: the network needs at least {minBytes:N0} bytes of weights; at most {ModelLimits.WeightBytes:N0} are supported.");
        return ((long)minBytes, (long)Math.Min(maxBytes, ModelLimits.WeightBytes));
    }

    // (floats certainly present, floats and header allowance at most), in doubles: the widths are bounded, the products are not.
    private static (double Min, double Max) Floats(NetworkSpec spec)
    {
        static double Linear(IReadOnlyList<int> widths)
        {
            double sum = 0;
            for (int i = 0; i + 1 < widths.Count; i++) sum += ((double)widths[i] + 1) * widths[i + 1];
            return sum;
        }
        // Batch norm: weight, bias, running mean and variance per hidden unit and a counter; 64 bytes of header per tensor.
        static double Extra(IReadOnlyList<int> widths) => 6.0 * widths.Sum(w => (double)w) + 16 * 7 * widths.Count;
        switch (spec)
        {
            case AutoencoderSpec ae:
            {
                double neighbours = ae.ScoreKind == AutoencoderScoreKind.ReconstructionError ? 0 : (double)ae.ReferenceRows * ae.LatentDimension + 2.0 * ae.LatentDimension + 4;
                double min = Linear(ae.EncoderWidths) + Linear(ae.DecoderWidths) + neighbours;
                return (min, min + Extra(ae.EncoderWidths) + Extra(ae.DecoderWidths) + 16 * 8);
            }
            case VariationalAutoencoderSpec vae:
            {
                int[] hidden = [vae.InputDimension, .. vae.HiddenLayers];
                double min = Linear(hidden) + 2 * ((double)hidden[^1] + 1) * vae.LatentDimension + Linear(vae.DecoderWidths) + (double)vae.ScoreSamples * vae.LatentDimension;
                return (min, min + Extra(hidden) + Extra(vae.DecoderWidths) + 16 * 8);
            }
            case AutoencoderEnsembleSpec ensemble:
            {
                var (min, max) = Floats(ensemble.Member);
                return (ensemble.Size * min + 2.0 * ensemble.Size, ensemble.Size * max + 2.0 * ensemble.Size + 16 * 4);
            }
            default:
                throw new InvalidDataException($"A network of unknown kind ({spec.GetType().Name}).");
        }
    }

    private static void ColumnName(string? name, string what, string where)
    {
        if (string.IsNullOrWhiteSpace(name) || name.Length > ModelLimits.ColumnNameLength || name.Any(char.IsControl))
            throw new InvalidDataException($"{where}: {what} must be a non-blank name of at most {ModelLimits.ColumnNameLength} characters without control characters.");
    }

    private static void Range(double value, double min, double max, string name, string where, bool lowerInclusive = true, bool upperInclusive = true)
    {
        bool ok = double.IsFinite(value)
            && (lowerInclusive ? value >= min : value > min)
            && (upperInclusive ? value <= max : value < max);
        if (!ok)
            throw new InvalidDataException($"{where}: {name} must be in {(lowerInclusive ? "[" : "(")}{min}, {max}{(upperInclusive ? "]" : ")")}; got {value}.");
    }

    private static void Defined<TEnum>(TEnum value, string name, string where) where TEnum : struct, Enum
    {
        if (!Enum.IsDefined(value))
            throw new InvalidDataException($"{where}: {name} must be one of {string.Join(", ", Enum.GetNames<TEnum>())}; got {value}.");
    }
}
