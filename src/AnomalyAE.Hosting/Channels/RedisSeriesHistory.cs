using AnomalyAE.Hosting.Records;
using StackExchange.Redis;

namespace AnomalyAE.Hosting.Channels;

/// <summary>
/// A Redis batch's place in its stream: entries are ordered by id, may come again (redelivery, XAUTOCLAIM), and the entries
/// before a batch are read back with XREVRANGE — newest first, in pages, at most <c>scanLimit</c> entries — until every
/// series asked for has its window − 1 records (or the stream's start is reached).
/// </summary>
internal sealed class RedisSeriesHistory(IDatabase db, RedisKey stream, StreamEntry[] entries, string idField, int scanLimit) : ISeriesHistory
{
    private const int Page = 1000;

    public string Scope => stream.ToString();
    public bool Contiguous => false;
    public bool AtStart => false;

    public (long Major, long Minor) Position(int record) => Parse(entries[record].Id);

    public async Task<RecordBatch?> BetweenAsync((long Major, long Minor) after, int limit, CancellationToken cancellationToken)
    {
        var first = entries.Min(e => Parse(e.Id));
        if (first.CompareTo(after) <= 0) return RecordBatch.Empty;
        var between = await db.StreamRangeAsync(stream, $"({after.Major}-{after.Minor}", $"({first.Item1}-{first.Item2}", limit + 1);
        if (between.Length > limit) return null;
        var kept = between.Where(e => e.Values is { Length: > 0 }).ToArray(); // entries deleted from the stream have no fields
        return new RedisRecordBatch(kept, new string?[kept.Length], idField);
    }

    public async IAsyncEnumerable<RecordBatch> BeforeAsync(IReadOnlySet<string>? series, Func<RecordBatch, int, string> seriesOf, int steps,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var batch = new RedisRecordBatch(entries, new string?[entries.Length], idField);
        var first = new Dictionary<string, (long, long)>(StringComparer.Ordinal);
        for (int r = 0; r < entries.Length; r++)
        {
            string name = seriesOf(batch, r);
            if ((series is null || series.Contains(name)) && !first.ContainsKey(name)) first[name] = Position(r);
        }
        if (first.Count == 0 || steps <= 0) yield break;
        var found = first.Keys.ToDictionary(k => k, _ => new List<StreamEntry>(steps), StringComparer.Ordinal);
        int missing = found.Count, scanned = 0;
        var latest = first.Values.Max();
        RedisValue from = $"({latest.Item1}-{latest.Item2}";
        while (missing > 0 && scanned < scanLimit)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int count = Math.Min(Page, scanLimit - scanned);
            var page = await db.StreamRangeAsync(stream, "-", from, count, Order.Descending);
            scanned += page.Length;
            var view = new RedisRecordBatch(page, new string?[page.Length], idField);
            for (int i = 0; i < page.Length && missing > 0; i++)
            {
                if (page[i].Values is not { Length: > 0 }) continue;
                string name = seriesOf(view, i);
                if (!found.TryGetValue(name, out var list) || list.Count >= steps || Parse(page[i].Id).CompareTo(first[name]) >= 0) continue;
                list.Add(page[i]);
                if (list.Count == steps) missing--;
            }
            if (page.Length < count) break;
            from = $"({page[^1].Id}";
        }
        var past = found.Values.SelectMany(l => l).OrderBy(e => Parse(e.Id)).ToArray();
        if (past.Length > 0) yield return new RedisRecordBatch(past, new string?[past.Length], idField);
    }

    private static (long, long) Parse(RedisValue id)
    {
        string text = id.ToString();
        int dash = text.IndexOf('-');
        return dash < 0 ? (long.Parse(text), 0) : (long.Parse(text.AsSpan(0, dash)), long.Parse(text.AsSpan(dash + 1)));
    }
}
