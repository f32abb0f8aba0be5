namespace AnomalyAE;

public abstract partial class AutoencoderOptionsBase
{
    /// <summary>
    /// Bytes of features (rows × features × 4) that <c>Fit</c> reads into memory. Larger training data is streamed:
    /// read from the <c>IDataView</c>'s cursors once per epoch through a shuffle buffer, so memory stays flat whatever the
    /// number of rows. The rows are counted with <c>GetRowCount()</c> when the view knows it; otherwise the first pass
    /// switches to streaming when it passes the budget. Default 1 GiB.
    /// </summary>
    public long TrainingMemoryBudget { get; set; } = Defaults.TrainingMemoryBudget;

    /// <summary>Streams the training data whatever its size (see <see cref="TrainingMemoryBudget"/>).</summary>
    public bool StreamTraining { get; set; }

    /// <summary>
    /// Rows held by the shuffle buffer of streamed training; null chooses as many as take 64 MB
    /// (<see cref="Defaults.ShuffleBufferSizeFor"/>). A row can move about one buffer's length from its place in the data,
    /// so data ordered by time or by class needs a buffer that spans what should be mixed. In-memory training shuffles
    /// every row and ignores it.
    /// </summary>
    public int? ShuffleBufferSize { get; set; }

    public static partial class Defaults
    {
        /// <summary>Default of <see cref="AutoencoderOptionsBase.TrainingMemoryBudget"/>: 1 GiB of features.</summary>
        public const long TrainingMemoryBudget = 1L << 30;

        /// <summary>Values (rows × features) the default shuffle buffer holds: 64 MB.</summary>
        internal const long ShuffleBufferValues = 1L << 24;

        /// <summary>
        /// Rows of the uniform sample of training rows that, when training is streamed, the score's fitted parts (reference
        /// codes and score scales of the latent-neighbour score, an ensemble's member scales) are fitted on: 65,536, fewer
        /// when that would pass 2^24 values (64 MB). Medians and quartiles of 65,536 rows are within about ±0.4% in rank of
        /// those of all rows.
        /// </summary>
        internal static long ScoreSampleRows(int features) => Math.Clamp((1L << 24) / Math.Max(1, features), 1, 1 << 16);

        /// <summary>
        /// Training rows scored, when training is streamed, for the threshold and the probability calibration: a seeded
        /// uniform sample of 2^20 rows (every row when there are fewer). The quantile that the threshold reads is then within
        /// about ±0.03% in rank of that of every row (one standard error at the 0.9 quantile), below the quantile sketch's
        /// own error; scoring every row of a large source took longer than training it.
        /// </summary>
        internal const long ThresholdSampleRows = 1L << 20;

        /// <summary>The rule behind a null <see cref="AutoencoderOptionsBase.ShuffleBufferSize"/>: the rows of <paramref name="features"/> features that take 64 MB.</summary>
        public static int ShuffleBufferSizeFor(int features) => (int)Math.Max(1, ShuffleBufferValues / Math.Max(1, features));
    }
}
