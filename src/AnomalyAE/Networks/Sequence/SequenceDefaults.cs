namespace AnomalyAE;

public abstract partial class AutoencoderOptionsBase
{
    public static partial class Defaults
    {
        // SequenceAutoencoderOptions only.

        /// <summary>Default of <see cref="SequenceAutoencoderOptions.WindowSize"/>: 64 steps.</summary>
        public const int WindowSize = 64;

        /// <summary>Default of <see cref="SequenceAutoencoderOptions.TrainingStride"/>: every window.</summary>
        public const int TrainingStride = 1;

        /// <summary>Default of <see cref="SequenceAutoencoderOptions.Architecture"/>.</summary>
        public const AnomalyAE.SequenceArchitecture SequenceArchitecture = AnomalyAE.SequenceArchitecture.Dense;

        /// <summary>Default of <see cref="SequenceAutoencoderOptions.Cell"/>.</summary>
        public const AnomalyAE.RecurrentCell RecurrentCell = AnomalyAE.RecurrentCell.Gru;

        /// <summary>Default of <see cref="SequenceAutoencoderOptions.ScoreAggregation"/>: the online score.</summary>
        public const WindowScoreAggregation ScoreAggregation = WindowScoreAggregation.LastWindow;

        /// <summary>
        /// Default of <see cref="SequenceAutoencoderOptions.ScoreBaselineSteps"/>: 8,640 steps (a month of 5-minute readings, the
        /// history of Numenta's anomaly likelihood). On NAB and NASA MSL, scores relative to the series' recent scores rank the
        /// labeled windows better than the raw reconstruction error (bench/TIMESERIES.md).
        /// </summary>
        public const int ScoreBaselineSteps = 8640;

        /// <summary>Default of <see cref="SequenceAutoencoderOptions.ScoreSmoothingSteps"/>: the mean of the last 10 window scores.</summary>
        public const int ScoreSmoothingSteps = 10;

        /// <summary>Default of <see cref="SequenceAutoencoderOptions.MissingValues"/>.</summary>
        public const MissingValueHandling MissingValues = MissingValueHandling.Error;

        /// <summary>
        /// Default of <see cref="AutoencoderOptionsBase.EnsembleSize"/> for <see cref="SequenceAutoencoderOptions"/>: one network.
        /// The tabular ensemble of <see cref="EnsembleSize"/> short-trained members ranked NAB's and NASA MSL's windows slightly
        /// better (mean VUS-PR +0.005 to +0.01) and fits faster, but scores about 4× slower, which online scoring pays on every
        /// step (bench/TIMESERIES.md, bench/TIMESERIES-SPEED.md).
        /// </summary>
        public const int SequenceEnsembleSize = 1;

        /// <summary>Default of <see cref="AutoencoderOptionsBase.ThresholdRule"/> for <see cref="SequenceAutoencoderOptions"/>.</summary>
        public const AnomalyAE.ThresholdRule SequenceThresholdRule = AnomalyAE.ThresholdRule.PeaksOverThreshold;

        /// <summary>Default filters of each convolution of a <see cref="AnomalyAE.SequenceArchitecture.Convolutional"/> network.</summary>
        public const int ConvolutionFilters = 32;

        /// <summary>Convolutions of a default <see cref="AnomalyAE.SequenceArchitecture.Convolutional"/> network (each halves the steps).</summary>
        public const int Convolutions = 2;

        /// <summary>Default state width of a <see cref="AnomalyAE.SequenceArchitecture.Recurrent"/> network's cell.</summary>
        public const int RecurrentStateWidth = 64;

        /// <summary>
        /// The rule behind null <see cref="AutoencoderOptionsBase.HiddenLayers"/> and <see cref="AutoencoderOptionsBase.LatentDimension"/>
        /// of a sequence network over windows of <paramref name="windowValues"/> values (window × channels): the code as for a
        /// row of that many features (<see cref="LatentDimensionFor"/>); dense layers as for such a row
        /// (<see cref="HiddenLayersFor"/>), <see cref="Convolutions"/> convolutions of <see cref="ConvolutionFilters"/> filters,
        /// or a recurrent state of <see cref="RecurrentStateWidth"/>.
        /// </summary>
        public static (int[] HiddenLayers, int LatentDimension) SequenceArchitectureFor(AnomalyAE.SequenceArchitecture architecture, int windowValues, int[]? hiddenLayers, int? latentDimension)
        {
            int latent = latentDimension ?? LatentDimensionFor(windowValues);
            int[] hidden = hiddenLayers ?? architecture switch
            {
                AnomalyAE.SequenceArchitecture.Convolutional => [.. Enumerable.Repeat(ConvolutionFilters, Convolutions)],
                AnomalyAE.SequenceArchitecture.Recurrent => [RecurrentStateWidth],
                _ => HiddenLayersFor(windowValues, latent),
            };
            return (hidden, latent);
        }
    }
}
