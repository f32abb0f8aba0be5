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
            if (stage.Kind is not (StageRecord.MLNetKind or StageRecord.NetworkKind or StageRecord.SequenceKind))
                throw new InvalidDataException($"{where} has an unknown kind '{stage.Kind}'.");
            if (stage.Kind == StageRecord.SequenceKind && manifest.FormatVersion < ModelManifest.SequenceFormatVersion)
                throw new InvalidDataException($"{where} is a sequence stage, which format version {manifest.FormatVersion} files do not hold; the file was edited or damaged.");
            string entry = ModelManifest.StageEntry(i, stage.Kind);
            if (stage.Entry != entry) throw new InvalidDataException($"{where} names part '{stage.Entry}'; expected '{entry}'.");
            expectedEntries.Add(entry);
            if (StageRecord.HoldsWeights(stage.Kind)) ValidateNetworkStage(stage, where);
            if (stage.Kind == StageRecord.SequenceKind) ValidateSequenceStage(stage, where);
            else if (stage.Sequence is not null) throw new InvalidDataException($"{where} is a {stage.Kind} stage but carries a sequence record; the file was edited or damaged.");
        }
        if (manifest.SingleTransformer && (manifest.Stages.Count != 1 || !StageRecord.HoldsWeights(manifest.Stages[0].Kind)))
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
        var rules = Rules.ForFile(where);
        spec.Validate(rules);
        rules.ColumnName("FeatureColumnName", stage.FeatureColumnName);
        if (stage.Outputs.Count is 0 or > ModelLimits.OutputColumns)
            throw new InvalidDataException($"{where} has {stage.Outputs.Count} output columns; expected 1 to {ModelLimits.OutputColumns}.");
        foreach (var output in stage.Outputs)
        {
            if (output is null) throw new InvalidDataException($"{where} has an empty output column.");
            rules.ColumnName("output column name", output.Name);
            rules.Defined("output column kind", output.Kind);
        }
        rules.Distinct(stage.Outputs.Select(o => o.Name));
        if (stage.Calibration is { } calibration && Training.ScoreCalibration.Problem(calibration.Scores, calibration.Probabilities) is { } problem)
            throw new InvalidDataException($"{where}: the score calibration is invalid: {problem}. The file was edited or damaged; save the model again.");
        if (stage.Calibration is null && stage.Outputs.Any(o => o.Kind == OutputKind.Probability))
            throw new InvalidDataException($"{where} emits a probability column but holds no score calibration. The file was edited or damaged; save the model again.");
        rules.Finite("Threshold", stage.Threshold.Value);
        if (stage.History is { Count: > ModelLimits.HistoryEntries }) throw new InvalidDataException($"{where} has {stage.History.Count:N0} history entries; at most {ModelLimits.HistoryEntries:N0}.");
        if (stage.History?.Any(h => h is null) == true) throw new InvalidDataException($"{where} has an empty history entry.");
        if (stage.Threads is int threads) rules.Range("Threads", threads, 1, Rules.MaxThreads);
        if (stage.ScoringBatchSize is int batch) rules.Range("ScoringBatchSize", batch, 1, Rules.MaxBatchSize);
    }

    /// <summary>A sequence stage: its settings by the options' rules, its row outputs, and a window model that reads its windows.</summary>
    private static void ValidateSequenceStage(StageRecord stage, string where)
    {
        var sequence = stage.Sequence ?? throw new InvalidDataException($"{where} is a sequence stage without its sequence record.");
        if (sequence.Settings is null || sequence.Outputs is null) throw new InvalidDataException($"{where}: the sequence record is incomplete (settings or outputs missing).");
        var rules = Rules.ForFile(where);
        sequence.Settings.Validate(rules);
        if (sequence.Outputs.Count is 0 or > ModelLimits.OutputColumns)
            throw new InvalidDataException($"{where} has {sequence.Outputs.Count} row output columns; expected 1 to {ModelLimits.OutputColumns}.");
        foreach (var output in sequence.Outputs)
        {
            if (output is null) throw new InvalidDataException($"{where} has an empty row output column.");
            rules.ColumnName("row output column name", output.Name);
            rules.Defined("row output column kind", output.Kind);
            rules.Require(output.Kind != OutputKind.LatentLogVariance, "row output column kind", "A sequence stage has no latent log-variance column.");
        }
        rules.Distinct(sequence.Outputs.Select(o => o.Name));
        if (sequence.Outputs.Any(o => o.Kind == OutputKind.Probability) && stage.Calibration is null)
            throw new InvalidDataException($"{where} emits a probability column but holds no score calibration. The file was edited or damaged; save the model again.");
        var window = stage.Spec is AutoencoderEnsembleSpec ensemble ? ensemble.Member : stage.Spec;
        rules.Require(window is SequenceAutoencoderSpec s && s.WindowSize == sequence.Settings.WindowSize && s.Channels == sequence.Settings.Channels, "Spec",
            $"The sequence stage windows {sequence.Settings.WindowSize} steps × {sequence.Settings.Channels} channels, but its network is not a sequence autoencoder of that window.");
    }

    /// <summary>
    /// Bounds on the serialized size of a network's weights, from its spec alone (nothing is allocated): the values its
    /// kind counts (<see cref="NetworkSpec.WeightValues"/>) as floats, plus per-tensor headers.
    /// </summary>
    public static (long Min, long Max) WeightBytes(NetworkSpec spec, string where)
    {
        var (min, max) = spec.WeightValues();
        double minBytes = 4 * min, maxBytes = 4 * max + 64 * 1024;
        if (!(minBytes <= ModelLimits.WeightBytes))
            throw new InvalidDataException($"{where}: the network needs at least {minBytes:N0} bytes of weights; at most {ModelLimits.WeightBytes:N0} are supported.");
        return ((long)minBytes, (long)Math.Min(maxBytes, ModelLimits.WeightBytes));
    }
}
