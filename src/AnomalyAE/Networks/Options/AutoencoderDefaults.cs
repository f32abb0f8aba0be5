namespace AnomalyAE;

public abstract partial class AutoencoderOptionsBase
{
    /// <summary>
    /// The default of every option, in one place (as ML.NET's <c>PcaTrainer.Options.Defaults</c>): the options' initial
    /// values, the catalog's parameter defaults and the command line's defaults all read these. Options whose default is
    /// null (chosen from the data) have the rule that resolves them here too. Reach it as <c>AutoencoderOptions.Defaults</c>
    /// or <c>VariationalAutoencoderOptions.Defaults</c>.
    /// </summary>
    public static partial class Defaults
    {
        /// <summary>Default of <see cref="AutoencoderOptionsBase.FeatureColumnName"/>.</summary>
        public const string FeatureColumnName = "Features";

        /// <summary>Default of <see cref="AutoencoderOptionsBase.ScoreColumnName"/>.</summary>
        public const string ScoreColumnName = "Score";

        /// <summary>Default of <see cref="AutoencoderOptionsBase.PredictedLabelColumnName"/>.</summary>
        public const string PredictedLabelColumnName = "PredictedLabel";

        /// <summary>Default of <see cref="AutoencoderOptionsBase.LatentFeaturesColumnName"/>.</summary>
        public const string LatentFeaturesColumnName = "LatentFeatures";

        /// <summary>Default of <see cref="AutoencoderOptionsBase.ReconstructionColumnName"/>.</summary>
        public const string ReconstructionColumnName = "Reconstruction";

        /// <summary>
        /// The usual name of the <see cref="AutoencoderOptionsBase.FeatureContributionsColumnName"/> column. That option's
        /// default is null (the column is not emitted unless asked for); set it to this name to emit it.
        /// </summary>
        public const string FeatureContributionsColumnName = "FeatureContributions";

        /// <summary>Default of <see cref="AutoencoderOptionsBase.ProbabilityColumnName"/>.</summary>
        public const string ProbabilityColumnName = "Probability";

        /// <summary>Default of <see cref="AutoencoderOptionsBase.Activation"/>.</summary>
        public const AutoencoderActivation Activation = AutoencoderActivation.ReLU;

        /// <summary>Default of <see cref="AutoencoderOptionsBase.OutputActivation"/>.</summary>
        public const AutoencoderActivation OutputActivation = AutoencoderActivation.Identity;

        /// <summary>Default of <see cref="AutoencoderOptionsBase.Loss"/>.</summary>
        public const ReconstructionLoss Loss = ReconstructionLoss.MeanSquaredError;

        /// <summary>Default of <see cref="AutoencoderOptionsBase.Optimizer"/>.</summary>
        public const AutoencoderOptimizer Optimizer = AutoencoderOptimizer.Adam;

        /// <summary>Default of <see cref="AutoencoderOptionsBase.LearningRate"/>.</summary>
        public const double LearningRate = 1e-3;

        /// <summary>Default of <see cref="AutoencoderOptionsBase.ValidationFraction"/>.</summary>
        public const double ValidationFraction = 0.1;

        /// <summary>Default of <see cref="AutoencoderOptionsBase.Contamination"/>: the expected fraction of anomalies, which sets the threshold.</summary>
        public const double Contamination = 0.1;

        /// <summary>Default of <see cref="AutoencoderOptionsBase.ThresholdRule"/>: the contamination quantile (the automatic rule when <c>Contamination</c> is null).</summary>
        public const AnomalyAE.ThresholdRule ThresholdRule = AnomalyAE.ThresholdRule.Contamination;

        /// <summary>
        /// Default of <see cref="AutoencoderOptionsBase.ThresholdRisk"/>: a normal row exceeds the peaks-over-threshold
        /// threshold with probability 10⁻³ under the fitted tail (SPOT's examples use 10⁻³ to 10⁻⁴).
        /// </summary>
        public const double ThresholdRisk = 1e-3;

        /// <summary>
        /// The k of the automatic threshold (<see cref="AutoencoderOptionsBase.Contamination"/> = null): median + k · MAD of
        /// the training scores, with the MAD scaled by 1.4826 so that it estimates the standard deviation of normal
        /// scores. k = 3 flags rows about three robust standard deviations above the typical score.
        /// </summary>
        public const double AutomaticThresholdDeviations = 3.0;

        /// <summary>Default of <see cref="AutoencoderOptionsBase.ScoringBatchSize"/>.</summary>
        public const int ScoringBatchSize = 1024;

        /// <summary>Gradient steps the data-scaled <see cref="AutoencoderOptionsBase.Epochs"/> aim for with one network (chosen by the sweep in bench/QUALITY.md).</summary>
        public const int TargetSteps = 3000;

        /// <summary>
        /// Gradient steps the data-scaled <see cref="AutoencoderOptionsBase.Epochs"/> aim for with each ensemble member, whatever
        /// the ensemble's size: few on purpose. On rows that already hold anomalies a network first learns what most rows share
        /// and only later learns to reconstruct the rare rows too ("inlier memorization", Kim et al., ICML 2024), so members
        /// stopped early keep the anomalies' errors high (bench/TABULAR.md: 750 steps per member, the former rule, lost 0.03
        /// ROC AUC on the tabular suites) and train in a fraction of the time.
        /// </summary>
        public const int MemberTargetSteps = 50;

        /// <summary>
        /// Gradient steps the data-scaled <see cref="AutoencoderOptionsBase.Epochs"/> aim for with each of
        /// <paramref name="ensembleSize"/> ensemble members: <see cref="MemberTargetSteps"/> (one network alone: <see cref="TargetSteps"/>).
        /// Members may train fewer than <see cref="MinEpochs"/> epochs (on large data, a few passes).
        /// </summary>
        public static int MemberStepsFor(int ensembleSize) => ensembleSize <= 1 ? TargetSteps : MemberTargetSteps;

        /// <summary>
        /// The epochs of each ensemble member when <see cref="AutoencoderOptionsBase.Epochs"/> is set: <paramref name="epochs"/> is the budget
        /// of one network on every row, and the members together pass over twice as many rows, as with data-scaled epochs:
        /// ⌈2 · epochs / (members · subsample fraction)⌉, at least 1 (8 members on half the rows: half the epochs each).
        /// </summary>
        public static int MemberEpochsFor(int epochs, int ensembleSize, double subsampleFraction) =>
            Math.Max(1, (int)Math.Ceiling(2.0 * epochs / (Math.Max(1, ensembleSize) * subsampleFraction) - 1e-9));

        internal const int MinBatchSize = 16, MaxBatchSize = 256;
        internal const int MinEpochs = 10, MaxEpochs = 500;
        internal const int MaxLatentDimension = 32;
        internal const int HiddenWidthPerLatentUnit = 4;

        /// <summary>
        /// The rule behind a null <see cref="AutoencoderOptionsBase.BatchSize"/>: the power of two nearest to <paramref name="trainingRows"/> / 32,
        /// within [16, 256] (about 32 steps per epoch below 8,192 rows). <paramref name="trainingRows"/> excludes the validation rows
        /// (see <see cref="ValidationRows"/>).
        /// </summary>
        public static int BatchSizeFor(int trainingRows) => NearestPowerOfTwo.To(trainingRows / 32.0, MinBatchSize, MaxBatchSize);

        /// <summary>
        /// The rule behind a null <see cref="AutoencoderOptionsBase.Epochs"/>: enough passes for <paramref name="targetSteps"/> gradient
        /// steps, within [<paramref name="minEpochs"/>, 500] (one network: at least 10; an ensemble member: at least 1).
        /// </summary>
        public static int EpochsFor(int trainingRows, int batchSize, int targetSteps = TargetSteps, int minEpochs = MinEpochs)
        {
            long stepsPerEpoch = Math.Max(1, (trainingRows + batchSize - 1) / batchSize);
            return (int)Math.Clamp((targetSteps + stepsPerEpoch - 1) / stepsPerEpoch, minEpochs, MaxEpochs);
        }

        /// <summary>Rows held out for validation out of <paramref name="rows"/> (the rest are trained on).</summary>
        public static int ValidationRows(int rows, double validationFraction) => (int)Math.Floor(rows * validationFraction);

        /// <summary>
        /// The rule behind a null <see cref="AutoencoderOptionsBase.LatentDimension"/>: the power of two nearest to half the features,
        /// within [1, 32] and below the number of features (784 → 32, 64 → 32, 30 → 16, 20 → 8). A code as wide as the input can
        /// learn the identity; the sweep in bench/QUALITY.md chose the rest (on images 16 and 32 tie, on 30 tabular features a
        /// code of 4 lost 0.05 AUC to codes of 16–32).
        /// </summary>
        public static int LatentDimensionFor(int features) =>
            Math.Max(1, Math.Min(NearestPowerOfTwo.To(features / 2.0, 1, MaxLatentDimension), features - 1));

        /// <summary>
        /// The rule behind null <see cref="AutoencoderOptionsBase.HiddenLayers"/>: one layer four times as wide as the default code
        /// (784 features: 128; 30: 64) and at least twice <paramref name="latentDimension"/>, so a small code set by hand
        /// (784 → 128 → 2) keeps a capable encoder.
        /// </summary>
        public static int[] HiddenLayersFor(int features, int latentDimension) =>
            [Math.Max(HiddenWidthPerLatentUnit * LatentDimensionFor(features), 2 * latentDimension)];

        // AutoencoderOptions only.

        /// <summary>Default of <see cref="AutoencoderOptions.LatentActivation"/>.</summary>
        public const AutoencoderActivation LatentActivation = AutoencoderActivation.Identity;

        /// <summary>Default of <see cref="AutoencoderOptions.Sparsity"/>.</summary>
        public const SparsityPenalty Sparsity = SparsityPenalty.None;

        /// <summary>Default of <see cref="AutoencoderOptions.SparsityWeight"/>.</summary>
        public const double SparsityWeight = 1e-3;

        /// <summary>Default of <see cref="AutoencoderOptions.SparsityTarget"/>.</summary>
        public const double SparsityTarget = 0.05;

        /// <summary>Default of <see cref="AutoencoderOptions.Noise"/>.</summary>
        public const InputNoise Noise = InputNoise.None;

        /// <summary>Default of <see cref="AutoencoderOptions.NoiseLevel"/>.</summary>
        public const double NoiseLevel = 0.1;

        /// <summary>Default of <see cref="AutoencoderOptionsBase.EnsembleSize"/> for <see cref="AutoencoderOptions"/>.</summary>
        public const int EnsembleSize = 8;

        /// <summary>Each ensemble member's share of the rows when <see cref="AutoencoderOptionsBase.SubsampleFraction"/> is null and there is more than one member.</summary>
        public const double EnsembleSubsampleFraction = 0.5;

        /// <summary>Default of <see cref="AutoencoderOptions.ScoreKind"/>.</summary>
        public const AutoencoderScoreKind ScoreKind = AutoencoderScoreKind.ReconstructionAndNeighborDistance;

        /// <summary>Default of <see cref="AutoencoderOptions.ErrorMetric"/>.</summary>
        public const ReconstructionErrorMetric ErrorMetric = ReconstructionErrorMetric.StandardizedSquaredError;

        // VariationalAutoencoderOptions only.

        /// <summary>Default of <see cref="VariationalAutoencoderOptions.Beta"/>.</summary>
        public const double Beta = 1.0;

        /// <summary>Default of <see cref="VariationalAutoencoderOptions.ScoreKind"/>.</summary>
        public const VariationalScoreKind VariationalScoreKind = AnomalyAE.VariationalScoreKind.ReconstructionError;

        /// <summary>Default of <see cref="VariationalAutoencoderOptions.ScoreSamples"/>.</summary>
        public const int ScoreSamples = 16;
    }
}
