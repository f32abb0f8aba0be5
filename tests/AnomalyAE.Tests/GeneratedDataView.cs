using Microsoft.ML;
using Microsoft.ML.Data;

namespace AnomalyAE.Tests;

/// <summary>
/// An <see cref="IDataView"/> whose rows are computed from their position on every pass and never stored: a
/// <c>Features</c> vector on a smooth 2-D manifold (x = tanh(A·z + b) + small noise, as <see cref="SyntheticData.Manifold"/>)
/// and a <c>Label</c> that is 1 for the planted anomalies, every <c>anomalyEvery</c>-th row, which lie off the manifold.
/// With <c>tableRows</c> &gt; 0 a normal row is instead one of that many manifold rows computed once, chosen by a hash of
/// the position: a source that costs little per row (like reading a file from the page cache), for measuring the
/// cost of streaming rather than of computing rows.
/// </summary>
public sealed class GeneratedDataView : IDataView
{
    private readonly long _rows;
    private readonly int _features, _anomalyEvery;
    private readonly bool _rowCountKnown;
    private readonly double[] _mixing, _offset;
    private readonly float[]? _table;

    public GeneratedDataView(long rows, int features, int anomalyEvery = 50, bool rowCountKnown = true, int tableRows = 0)
    {
        _rows = rows;
        _features = features;
        _anomalyEvery = anomalyEvery;
        _rowCountKnown = rowCountKnown;
        var structure = new Random(12345);
        _mixing = [.. Enumerable.Range(0, 2 * features).Select(_ => structure.NextDouble() * 2 - 1)];
        _offset = [.. Enumerable.Range(0, features).Select(_ => (structure.NextDouble() - 0.5) * 0.5)];
        if (tableRows > 0)
        {
            var table = new float[tableRows * features];
            for (int r = 0; r < tableRows; r++) FillManifold(r * 7919L, table.AsSpan(r * features, features));
            _table = table;
        }
        var builder = new DataViewSchema.Builder();
        builder.AddColumn("Features", new VectorDataViewType(NumberDataViewType.Single, features));
        builder.AddColumn("Label", NumberDataViewType.Single);
        Schema = builder.ToSchema();
    }

    public DataViewSchema Schema { get; }

    /// <summary>Called by every cursor at each multiple of <see cref="ObserveEvery"/> rows, with the row's position.</summary>
    public Action<long>? Observe { get; init; }

    public const int ObserveEvery = 1 << 16;
    public bool CanShuffle => false;
    public long? GetRowCount() => _rowCountKnown ? _rows : null;

    public bool IsAnomaly(long position) => position % _anomalyEvery == _anomalyEvery - 1;

    /// <summary>Row <paramref name="position"/>'s features, written into <paramref name="values"/>.</summary>
    public void Fill(long position, Span<float> values)
    {
        ulong state = (ulong)position * 0x9E3779B97F4A7C15UL + 1;
        if (IsAnomaly(position))
        {
            for (int i = 0; i < values.Length; i++) values[i] = (float)Uniform(ref state);
            return;
        }
        if (_table is not null)
        {
            int row = (int)(Next(ref state) % (ulong)(_table.Length / _features));
            _table.AsSpan(row * _features, _features).CopyTo(values);
            return;
        }
        FillManifold(position, values);
    }

    private void FillManifold(long position, Span<float> values)
    {
        ulong state = (ulong)position * 0x9E3779B97F4A7C15UL + 2;
        double Uniform() => GeneratedDataView.Uniform(ref state);
        double z0 = Uniform(), z1 = Uniform();
        for (int i = 0; i < values.Length; i++)
            values[i] = (float)(Math.Tanh(1.5 * (_mixing[2 * i] * z0 + _mixing[2 * i + 1] * z1) + _offset[i]) + 0.02 * Uniform());
    }

    /// <summary>Uniform in [-1, 1).</summary>
    private static double Uniform(ref ulong state) => (Next(ref state) >> 11) * (2.0 / (1UL << 53)) - 1;

    private static ulong Next(ref ulong state)
    {
        ulong z = state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null) => new Cursor(this);

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) => [new Cursor(this)];

    private sealed class Cursor(GeneratedDataView view) : DataViewRowCursor
    {
        private long _position = -1;

        public override DataViewSchema Schema => view.Schema;
        public override long Position => _position;
        public override long Batch => 0;
        public override bool IsColumnActive(DataViewSchema.Column column) => true;
        public override bool MoveNext()
        {
            if (++_position % ObserveEvery == 0 && _position < view._rows) view.Observe?.Invoke(_position);
            return _position < view._rows;
        }

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            if (column.Index == 0)
            {
                ValueGetter<VBuffer<float>> features = (ref VBuffer<float> value) =>
                {
                    var editor = VBufferEditor.Create(ref value, view._features);
                    view.Fill(_position, editor.Values);
                    value = editor.Commit();
                };
                return (ValueGetter<TValue>)(Delegate)features;
            }
            ValueGetter<float> label = (ref float value) => value = view.IsAnomaly(_position) ? 1 : 0;
            return (ValueGetter<TValue>)(Delegate)label;
        }

        public override ValueGetter<DataViewRowId> GetIdGetter() => (ref DataViewRowId id) => id = new DataViewRowId((ulong)_position, 0);
    }
}
