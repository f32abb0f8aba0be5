namespace AnomalyAE.Data;

/// <summary>Row-level checks shared by training and scoring.</summary>
internal static class RowValues
{
    public static void CheckFinite(ReadOnlySpan<float> row, long rowIndex, string columnName)
    {
        if (AllFinite(row)) return;
        for (int slot = 0; slot < row.Length; slot++)
        {
            if (float.IsFinite(row[slot])) continue;
            throw new InvalidOperationException(
                $"Column '{columnName}' has {row[slot]} at row {rowIndex}, slot {slot}: features must be finite numbers. " +
                "Replace missing values first (e.g. ml.Transforms.ReplaceMissingValues(\"" + columnName + "\")) or filter such rows out.");
        }
    }

    // x − x is 0 for every finite x and NaN for NaN and ±∞: one vectorized pass over the row on the scoring hot path.
    private static bool AllFinite(ReadOnlySpan<float> row)
    {
        var vectors = System.Runtime.InteropServices.MemoryMarshal.Cast<float, System.Numerics.Vector<float>>(row);
        foreach (var v in vectors)
            if (!System.Numerics.Vector.EqualsAll(v - v, System.Numerics.Vector<float>.Zero)) return false;
        for (int i = vectors.Length * System.Numerics.Vector<float>.Count; i < row.Length; i++)
            if (!float.IsFinite(row[i])) return false;
        return true;
    }
}
