using SkiaSharp;

namespace AnomalyAE.Visualization;

/// <summary>Grayscale images (e.g. 28×28 digits) laid out in a grid, optionally captioned, saved as PNG.</summary>
public static class ImageGrid
{
    /// <summary>Saves <paramref name="images"/> (values in [0, 1], row-major) as a grid of <paramref name="columns"/> columns.</summary>
    /// <param name="path">PNG file to write.</param>
    /// <param name="images">Images, each <paramref name="side"/>² values.</param>
    /// <param name="columns">Images per grid row.</param>
    /// <param name="side">Width and height of one image in pixels.</param>
    /// <param name="scale">Screen pixels per image pixel.</param>
    /// <param name="captions">Optional text under each image (same count as images).</param>
    /// <param name="rowTitles">Optional text left of each grid row.</param>
    /// <param name="title">Optional title above the grid.</param>
    public static void Save(string path, IReadOnlyList<float[]> images, int columns, int side = 28, int scale = 3,
        IReadOnlyList<string>? captions = null, IReadOnlyList<string>? rowTitles = null, string? title = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(columns, 1);
        int rows = (images.Count + columns - 1) / columns;
        int cell = side * scale, gap = 4;
        int captionHeight = captions is null ? 0 : 16;
        int left = rowTitles is null ? 0 : 90;
        int top = title is null ? 0 : 28;
        int width = left + columns * (cell + gap) + gap;
        int height = top + rows * (cell + captionHeight + gap) + gap;

        using var bitmap = new SKBitmap(width, height);
        using var canvas = new SKCanvas(bitmap);
        canvas.Clear(SKColors.White);
        using var font = new SKFont(SKTypeface.Default, 12);
        using var titleFont = new SKFont(SKTypeface.Default, 16);
        using var ink = new SKPaint { Color = SKColors.Black, IsAntialias = true };
        if (title is not null) canvas.DrawText(title, width / 2f, 20, SKTextAlign.Center, titleFont, ink);

        for (int i = 0; i < images.Count; i++)
        {
            int x0 = left + gap + i % columns * (cell + gap);
            int y0 = top + gap + i / columns * (cell + captionHeight + gap);
            DrawImage(bitmap, images[i], side, scale, x0, y0);
            if (captions is not null) canvas.DrawText(captions[i], x0 + cell / 2f, y0 + cell + 12, SKTextAlign.Center, font, ink);
        }
        if (rowTitles is not null)
            for (int r = 0; r < Math.Min(rows, rowTitles.Count); r++)
                canvas.DrawText(rowTitles[r], 6, top + gap + r * (cell + captionHeight + gap) + cell / 2f, SKTextAlign.Left, font, ink);

        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        using var image = SKImage.FromBitmap(bitmap);
        using var png = image.Encode(SKEncodedImageFormat.Png, 100);
        using var file = File.Create(path);
        png.SaveTo(file);
    }

    private static void DrawImage(SKBitmap bitmap, float[] pixels, int side, int scale, int x0, int y0)
    {
        if (pixels.Length != side * side)
            throw new ArgumentException($"Each image must have {side * side} values ({side}×{side}); got {pixels.Length}.", nameof(pixels));
        for (int y = 0; y < side; y++)
            for (int x = 0; x < side; x++)
            {
                // Digits are drawn dark on light, as printed.
                byte level = (byte)(255 - Math.Clamp(pixels[y * side + x], 0f, 1f) * 255);
                var color = new SKColor(level, level, level);
                for (int dy = 0; dy < scale; dy++)
                    for (int dx = 0; dx < scale; dx++)
                        bitmap.SetPixel(x0 + x * scale + dx, y0 + y * scale + dy, color);
            }
    }
}
