using Microsoft.ML;

namespace AnomalyAE.Transforms;

/// <summary>
/// What a scoring engine (libtorch or ONNX Runtime) gives the scored data view and the row mapper: buffers for up to
/// <see cref="Capacity"/> rows, filled one row at a time from a bound source row, scored together, and read back one row at
/// a time through getters. One per cursor or row: not thread-safe.
/// </summary>
internal abstract class RowBatchScorer(int capacity) : IDisposable
{
    /// <summary>Rows per batch at most.</summary>
    public int Capacity { get; } = capacity;

    /// <summary>Index within the scored batch of the row whose values the getters return.</summary>
    public int Current { get; set; }

    /// <summary>Takes the getters of the input columns the model reads from <paramref name="source"/>; called once, before <see cref="Load"/>.</summary>
    public abstract void Bind(DataViewRow source);

    /// <summary>
    /// True when a getter made since the last <see cref="Score"/> needs an output that scoring did not compute (engines
    /// compute only what the getters made so far read; ML.NET activates more columns than it reads): the caller scores the
    /// loaded rows again before reading.
    /// </summary>
    public virtual bool Stale => false;

    /// <summary>Copies the current row of the bound source (checked) into <paramref name="slot"/> of the next batch.</summary>
    public abstract void Load(int slot, long rowPosition);

    /// <summary>Scores the first <paramref name="count"/> loaded rows.</summary>
    public abstract void Score(int count);

    /// <summary>
    /// A getter (a <c>ValueGetter</c> of the column's type) of the model's output column <paramref name="output"/>, counted from
    /// the first column after the input's; it calls <paramref name="ensureScored"/> before reading the row at <see cref="Current"/>.
    /// </summary>
    public abstract Delegate MakeGetter(int output, Action ensureScored);

    /// <summary>Frees the engine's native buffers, if it has any.</summary>
    public virtual void Dispose() { }
}
