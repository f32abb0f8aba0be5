namespace AnomalyAE.Datasets;

/// <summary>One labelled image as ML.NET rows see it: pixels scaled to [0, 1] and a digit/class label.</summary>
public sealed class ImageRow
{
    /// <summary>Pixels, row-major, byte / 255.</summary>
    public float[] Features { get; set; } = [];

    /// <summary>Class of the image (0–9 for MNIST and Fashion-MNIST).</summary>
    public int Class { get; set; }
}

/// <summary>Image/label IDX pairs such as MNIST and Fashion-MNIST.</summary>
public static class ImageDataset
{
    /// <summary>
    /// Reads the pair <c>PREFIX-images-idx3-ubyte.gz</c> / <c>PREFIX-labels-idx1-ubyte.gz</c> in <paramref name="folder"/>,
    /// the naming of MNIST and Fashion-MNIST (prefixes <c>train</c>, <c>t10k</c>; <c>mnist</c> for the bundled digits).
    /// </summary>
    public static ImageRow[] ReadPair(string folder, string prefix) =>
        Read(Path.Combine(folder, $"{prefix}-images-idx3-ubyte.gz"), Path.Combine(folder, $"{prefix}-labels-idx1-ubyte.gz"));

    /// <summary>Reads an images file and its labels file; both must hold the same number of items.</summary>
    public static ImageRow[] Read(string imagesPath, string labelsPath)
    {
        var images = IdxFile.Read(imagesPath);
        var labels = IdxFile.Read(labelsPath);
        if (images.Shape.Count != 3)
            throw new InvalidDataException($"'{imagesPath}' holds {images.Shape.Count}-dimensional items; images need [count, rows, columns].");
        if (labels.Shape.Count != 1 || labels.Count != images.Count)
            throw new InvalidDataException($"'{labelsPath}' has {labels.Count} labels for {images.Count} images in '{imagesPath}'.");
        return Enumerable.Range(0, images.Count)
            .Select(i => new ImageRow { Features = images.ItemAsUnitFloats(i), Class = labels.Data[i] })
            .ToArray();
    }
}
