namespace AnomalyAE.Hosting.Records;

/// <summary>
/// Records as a channel received them (CSV cells, JSON members, stream entry fields), read field by field straight into
/// the model's input buffers by <see cref="RecordBatchScorer"/>: a batch holds no dictionary, string or boxed value per
/// record. A channel reads a batch, the scorer turns it into a <see cref="ScoredBatch"/>, the channel commits that.
/// </summary>
internal abstract class RecordBatch
{
    /// <summary>Number of records.</summary>
    public abstract int Count { get; }

    /// <summary>The record's id (the configured id field, or a generated one), for outputs, logs and dead letters.</summary>
    public abstract string Id(int record);

    /// <summary>Why the record is unusable before scoring (unparsable line, too many deliveries); null when fine.</summary>
    public abstract string? Problem(int record);

    /// <summary>
    /// Sets <paramref name="positions"/>[i] to where field <paramref name="names"/>[i] sits in <paramref name="record"/>
    /// (matched ignoring case), or −1 when the record lacks it. Batches cache the answer per record shape.
    /// </summary>
    public abstract void Locate(int record, string[] names, Span<int> positions);

    /// <summary>The field at <paramref name="position"/> as a finite Single; false when it is not one.</summary>
    public abstract bool TryReadSingle(int record, int position, out float value);

    /// <summary>The field at <paramref name="position"/> as text (for Text inputs and error messages).</summary>
    public abstract string Text(int record, int position);

    /// <summary>Where the records sit in their source, for models that keep a window per series; null when the source cannot say.</summary>
    public virtual ISeriesHistory? History => null;

    /// <summary>The text of the field <paramref name="name"/> names (one name, any case; keep the array: batches cache by it) of <paramref name="record"/>, or null when it has none.</summary>
    public string? Field(int record, string[] name)
    {
        Span<int> position = stackalloc int[1];
        Locate(record, name, position);
        return position[0] < 0 ? null : Text(record, position[0]);
    }

    /// <summary>Every field of the record, for a dead letter that must keep the original.</summary>
    public abstract IEnumerable<(string Name, string Value)> Fields(int record);

    /// <summary>An empty batch: nothing waiting.</summary>
    public static RecordBatch Empty { get; } = new EmptyBatch();

    private sealed class EmptyBatch : RecordBatch
    {
        public override int Count => 0;
        public override string Id(int record) => throw new ArgumentOutOfRangeException(nameof(record));
        public override string? Problem(int record) => throw new ArgumentOutOfRangeException(nameof(record));
        public override void Locate(int record, string[] names, Span<int> positions) => throw new ArgumentOutOfRangeException(nameof(record));
        public override bool TryReadSingle(int record, int position, out float value) => throw new ArgumentOutOfRangeException(nameof(record));
        public override string Text(int record, int position) => throw new ArgumentOutOfRangeException(nameof(record));
        public override IEnumerable<(string Name, string Value)> Fields(int record) => throw new ArgumentOutOfRangeException(nameof(record));
    }
}
