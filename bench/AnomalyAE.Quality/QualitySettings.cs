namespace AnomalyAE.Quality;

internal sealed record QualitySettings(string[] Datasets, int[] Seeds, int[] Classes, string Output, int Threads, bool Denoising = false)
{
    public static QualitySettings Parse(string[] args)
    {
        var settings = new QualitySettings(["fashion", "mnist"], [1, 2, 3], Enumerable.Range(0, 10).ToArray(), Path.Combine("output", "quality"), Environment.ProcessorCount);
        for (int i = 0; i + 1 < args.Length; i += 2)
        {
            string value = args[i + 1];
            settings = args[i] switch
            {
                "--datasets" => settings with { Datasets = value.Split(',') },
                "--seeds" => settings with { Seeds = value.Split(',').Select(int.Parse).ToArray() },
                "--classes" => settings with { Classes = value.Contains('-') ? Enumerable.Range(int.Parse(value.Split('-')[0]), int.Parse(value.Split('-')[1]) - int.Parse(value.Split('-')[0]) + 1).ToArray() : value.Split(',').Select(int.Parse).ToArray() },
                "--out" => settings with { Output = value },
                "--threads" => settings with { Threads = int.Parse(value) },
                "--denoising" => settings with { Denoising = bool.Parse(value) },
                _ => throw new ArgumentException($"Unknown option {args[i]}; options: --datasets --seeds --classes --out --threads --denoising"),
            };
        }
        return settings;
    }
}
