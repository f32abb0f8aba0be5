using System.IO.Compression;
using System.Globalization;
using AnomalyAE.Datasets;
using AnomalyAE.DataViews;
using Microsoft.ML;

namespace AnomalyAE.Quality;

/// <summary>A labelled row of any data set the benchmark reads.</summary>
internal sealed record LabelledRow(float[] Features, int Class);

internal static class LabelledRows
{
    /// <summary>A "Features" vector column and a Single column <paramref name="labelColumn"/> computed by <paramref name="label"/>.</summary>
    public static IDataView ToDataView(this LabelledRow[] rows, string labelColumn, Func<LabelledRow, float> label) => new ColumnarDataView.Builder()
        .AddVector("Features", rows[0].Features.Length, rows.Select(r => r.Features).ToArray())
        .AddSingle(labelColumn, rows.Select(label).ToArray())
        .Build();
}

/// <summary>
/// A one-class benchmark data set: training and test rows, the classes that take turns as "normal", and whether the
/// features are standardized (ML.NET's NormalizeMeanVariance fitted on the training rows) before every method sees them.
/// </summary>
internal sealed record OneClassDataset(string Name, LabelledRow[] Train, LabelledRow[] Test, int[] NormalClasses, bool Standardize, string Description)
{
    public const string FashionFolder = "/usr/share/datasets/fashion-mnist";
    public const string ScikitLearnFolder = "/usr/lib/python3/dist-packages/sklearn/datasets/data";

    public int Features => Train[0].Features.Length;

    public static OneClassDataset Load(string name, int[] classes) => name switch
    {
        "fashion" => new(name, Rows(ImageDataset.ReadPair(FashionFolder, "train")), Rows(ImageDataset.ReadPair(FashionFolder, "t10k")), classes, false,
            "Fashion-MNIST (Debian dataset-fashion-mnist): 60,000 training, 10,000 test images, 784 pixels / 255"),
        "mnist" => Split(name, Rows(ImageDataset.ReadPair(Path.Combine(AppContext.BaseDirectory, "data"), "mnist")), 8000, classes, false,
            "bundled MNIST digits: first 8,000 training, last 2,000 test, 784 pixels / 255"),
        "digits" => StratifiedSplit(name, ReadCsv(Path.Combine(ScikitLearnFolder, "digits.csv.gz"), header: false), classes, true,
            "scikit-learn's 8×8 digits (Debian python3-sklearn): 1,797 rows, 64 features 0–16, ~125 training rows per class"),
        "breast-cancer" => StratifiedSplit(name, ReadCsv(Path.Combine(ScikitLearnFolder, "breast_cancer.csv"), header: true), [1], true,
            "Wisconsin diagnostic breast cancer (Debian python3-sklearn): 569 rows, 30 features; normal = benign (250 training rows), anomalies = malignant"),
        _ => throw new ArgumentException($"Unknown dataset '{name}'; use fashion, mnist, digits or breast-cancer."),
    };

    private static LabelledRow[] Rows(ImageRow[] images) => images.Select(r => new LabelledRow(r.Features, r.Class)).ToArray();

    private static OneClassDataset Split(string name, LabelledRow[] rows, int trainCount, int[] classes, bool standardize, string description) =>
        new(name, rows[..trainCount], rows[trainCount..], classes, standardize, description);

    /// <summary>70 % of every class (after a fixed shuffle) for training, the rest for testing.</summary>
    private static OneClassDataset StratifiedSplit(string name, LabelledRow[] rows, int[] classes, bool standardize, string description)
    {
        var random = new Random(0);
        var train = new List<LabelledRow>();
        var test = new List<LabelledRow>();
        foreach (var group in rows.GroupBy(r => r.Class).OrderBy(g => g.Key))
        {
            var shuffled = group.OrderBy(_ => random.Next()).ToArray();
            int cut = (int)Math.Round(shuffled.Length * 0.7);
            train.AddRange(shuffled[..cut]);
            test.AddRange(shuffled[cut..]);
        }
        return new(name, train.ToArray(), test.ToArray(), classes.Where(c => rows.Any(r => r.Class == c)).ToArray(), standardize, description);
    }

    /// <summary>scikit-learn's bundled CSVs: numbers, the class in the last column; <paramref name="header"/> skips its count line.</summary>
    private static LabelledRow[] ReadCsv(string path, bool header)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"'{path}' is missing: install Debian's python3-sklearn (sudo apt-get install python3-sklearn).", path);
        using var file = File.OpenRead(path);
        using var reader = new StreamReader(path.EndsWith(".gz") ? new GZipStream(file, CompressionMode.Decompress) : file);
        var lines = reader.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Skip(header ? 1 : 0);
        return lines.Select(line =>
        {
            var values = line.Split(',').Select(v => float.Parse(v, CultureInfo.InvariantCulture)).ToArray();
            return new LabelledRow(values[..^1], (int)values[^1]);
        }).ToArray();
    }
}
