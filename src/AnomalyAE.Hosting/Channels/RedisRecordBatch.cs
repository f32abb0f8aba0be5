using System.Globalization;
using AnomalyAE.Hosting.Records;
using StackExchange.Redis;

namespace AnomalyAE.Hosting.Channels;

/// <summary>
/// Stream entries as a <see cref="RecordBatch"/>: fields are read from the entries' UTF-8 values in place. Entries of one
/// producer share a shape (the same field names in the same order), so field positions are found once per shape.
/// </summary>
internal sealed class RedisRecordBatch : RecordBatch
{
    private readonly StreamEntry[] _entries;
    private readonly string?[] _problems;
    private readonly byte[] _idField;
    private NameValueEntry[]? _shapeOf;
    private string[]? _shapeNames;
    private int[] _shapePositions = [];

    /// <param name="entries">Entries read from the stream (deleted entries already removed).</param>
    /// <param name="problems">Per entry, why it is unusable before scoring; null when fine.</param>
    /// <param name="idField">The field holding a record's id; an entry without it is named by its entry id.</param>
    public RedisRecordBatch(StreamEntry[] entries, string?[] problems, string idField)
    {
        _entries = entries;
        _problems = problems;
        _idField = System.Text.Encoding.UTF8.GetBytes(idField);
    }

    public override int Count => _entries.Length;

    /// <summary>Set by the channel for a sequence model's windows.</summary>
    public ISeriesHistory? SeriesHistory { get; init; }

    public override ISeriesHistory? History => SeriesHistory;

    /// <summary>The stream entry id: what XACK acknowledges.</summary>
    public RedisValue EntryId(int record) => _entries[record].Id;

    /// <summary>The record's id field as stored (no text conversion), or its entry id.</summary>
    public RedisValue IdValue(int record)
    {
        foreach (var field in _entries[record].Values)
            if (Bytes(field.Name).SequenceEqual(_idField)) return field.Value;
        return _entries[record].Id;
    }

    public override string Id(int record) => IdValue(record).ToString();

    public override string? Problem(int record) => _problems[record];

    public override void Locate(int record, string[] names, Span<int> positions)
    {
        var values = _entries[record].Values;
        if (!ReferenceEquals(names, _shapeNames) || !SameShape(values, _shapeOf!))
        {
            var fieldNames = values.Select(v => v.Name.ToString()).ToArray();
            _shapePositions = [.. names.Select(n => Array.FindIndex(fieldNames, f => string.Equals(f, n, StringComparison.OrdinalIgnoreCase)))];
            _shapeNames = names;
            _shapeOf = values;
        }
        _shapePositions.CopyTo(positions);
    }

    public override bool TryReadSingle(int record, int position, out float value)
    {
        ReadOnlyMemory<byte> utf8 = _entries[record].Values[position].Value;
        return float.TryParse(utf8.Span, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && float.IsFinite(value);
    }

    public override string Text(int record, int position) => _entries[record].Values[position].Value.ToString();

    public override IEnumerable<(string Name, string Value)> Fields(int record) =>
        _entries[record].Values.Select(v => (v.Name.ToString(), v.Value.ToString()));

    private static bool SameShape(NameValueEntry[] values, NameValueEntry[] shape)
    {
        if (ReferenceEquals(values, shape)) return true;
        if (values.Length != shape.Length) return false;
        for (int i = 0; i < values.Length; i++)
            if (!Bytes(values[i].Name).SequenceEqual(Bytes(shape[i].Name))) return false;
        return true;
    }

    private static ReadOnlySpan<byte> Bytes(RedisValue value) => ((ReadOnlyMemory<byte>)value).Span;
}
