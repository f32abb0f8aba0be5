using System.Globalization;

namespace AnomalyAE.Tabular;

/// <summary>
/// One benchmark table (NAME.csv or NAME.csv.gz: f0…f(d−1), label with 1 = anomaly), standardized on all its rows;
/// <see cref="Suite"/> is "own" for the sets built by data/build-datasets.sh, "adbench" for ADBench's classical sets.
/// </summary>
internal sealed record TabularSet(string Name, string Suite, string Path, float[][] Features, bool[] IsAnomaly)
{
    public int Rows => Features.Length;
    public int Columns => Features[0].Length;
    public int Anomalies => IsAnomaly.Count(a => a);

    /// <summary>The set's name: the file name without .csv or .csv.gz.</summary>
    public static string NameOf(string path) => System.IO.Path.GetFileName(path) is var file && file.EndsWith(".csv.gz") ? file[..^7] : System.IO.Path.GetFileNameWithoutExtension(path);

    public static TabularSet Read(string path, string suite)
    {
        var lines = ReadLines(path);
        var header = lines[0].Split(',');
        int label = Array.IndexOf(header, "label");
        if (label < 0) throw new InvalidDataException($"{path}: no 'label' column in the header.");
        var features = new List<float[]>();
        var anomalies = new List<bool>();
        foreach (var line in lines.Skip(1).Where(l => l.Length > 0))
        {
            var cells = line.Split(',');
            features.Add(cells.Where((_, i) => i != label).Select(c => float.Parse(c, CultureInfo.InvariantCulture)).ToArray());
            anomalies.Add(double.Parse(cells[label], CultureInfo.InvariantCulture) == 1);
        }
        return new TabularSet(NameOf(path), suite, path, Standardize(features.ToArray()), anomalies.ToArray());
    }

    private static string[] ReadLines(string path)
    {
        if (!path.EndsWith(".gz")) return File.ReadAllLines(path);
        using var reader = new StreamReader(new System.IO.Compression.GZipStream(File.OpenRead(path), System.IO.Compression.CompressionMode.Decompress));
        var lines = new List<string>();
        while (reader.ReadLine() is { } line) lines.Add(line);
        return [.. lines];
    }

    /// <summary>(x − mean) / std per feature over all rows (population std, as scikit-learn's StandardScaler); a constant feature becomes 0.</summary>
    private static float[][] Standardize(float[][] rows)
    {
        int d = rows[0].Length;
        var mean = new double[d];
        var std = new double[d];
        foreach (var row in rows) for (int c = 0; c < d; c++) mean[c] += row[c] / (double)rows.Length;
        foreach (var row in rows) for (int c = 0; c < d; c++) std[c] += (row[c] - mean[c]) * (row[c] - mean[c]) / rows.Length;
        for (int c = 0; c < d; c++) std[c] = Math.Sqrt(std[c]);
        return rows.Select(row => row.Select((v, c) => std[c] > 0 ? (float)((v - mean[c]) / std[c]) : 0f).ToArray()).ToArray();
    }
}
