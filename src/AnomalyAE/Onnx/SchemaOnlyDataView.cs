using Microsoft.ML;
using Microsoft.ML.Data;

namespace AnomalyAE.Onnx;

/// <summary>A data view with a schema and no rows: what <c>ConvertToOnnx</c> needs to learn the input's columns.</summary>
internal sealed class SchemaOnlyDataView(DataViewSchema schema) : IDataView
{
    public bool CanShuffle => false;
    public DataViewSchema Schema => schema;
    public long? GetRowCount() => 0;
    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null) => new Empty(schema);
    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) => [new Empty(schema)];

    private sealed class Empty(DataViewSchema schema) : DataViewRowCursor
    {
        public override DataViewSchema Schema => schema;
        public override long Position => -1;
        public override long Batch => 0;
        public override bool MoveNext() => false;
        public override bool IsColumnActive(DataViewSchema.Column column) => true;
        public override ValueGetter<DataViewRowId> GetIdGetter() => (ref DataViewRowId id) => throw new InvalidOperationException("The view has no rows.");
        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column) => (ref TValue value) => throw new InvalidOperationException("The view has no rows.");
    }
}
