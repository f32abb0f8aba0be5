namespace AnomalyAE.TimeSeries.Evaluation.Data;

/// <summary>An anomalous stretch of rows, both ends inclusive, 0-based.</summary>
public readonly record struct AnomalyRange(int Start, int End)
{
    public int Length => End - Start + 1;

    /// <summary>The maximal runs of <c>true</c> in <paramref name="flags"/>, in order.</summary>
    public static AnomalyRange[] FromFlags(IReadOnlyList<bool> flags)
    {
        var ranges = new List<AnomalyRange>();
        for (int i = 0; i < flags.Count; i++)
        {
            if (!flags[i]) continue;
            int start = i;
            while (i + 1 < flags.Count && flags[i + 1]) i++;
            ranges.Add(new AnomalyRange(start, i));
        }
        return [.. ranges];
    }

    /// <summary>One flag per row of <paramref name="rows"/>: inside one of <paramref name="ranges"/> (clipped to the rows).</summary>
    public static bool[] ToFlags(IEnumerable<AnomalyRange> ranges, int rows)
    {
        var flags = new bool[rows];
        foreach (var r in ranges)
            for (int i = Math.Max(0, r.Start); i <= Math.Min(rows - 1, r.End); i++) flags[i] = true;
        return flags;
    }
}
