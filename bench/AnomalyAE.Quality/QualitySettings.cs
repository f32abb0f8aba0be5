namespace AnomalyAE.Quality;

/// <summary>Command-line settings of the quality benchmark.</summary>
internal sealed record QualitySettings(string Mode, string[] Datasets, int[] Seeds, int[] Classes, string Output, int Threads, int ParallelClasses, string[]? Methods = null)
{
    public static readonly string[] Modes = ["report", "sweep", "denoising", "reduction"];

    public static QualitySettings Parse(string[] args)
    {
        var settings = new QualitySettings("report", ["fashion", "mnist", "digits", "breast-cancer"], [1, 2, 3], Enumerable.Range(0, 10).ToArray(),
            Path.Combine("output", "quality"), Environment.ProcessorCount, 1);
        for (int i = 0; i < args.Length; i += 2)
        {
            if (i + 1 >= args.Length) throw new ArgumentException($"Option {args[i]} needs a value.");
            string value = args[i + 1];
            settings = args[i] switch
            {
                "--mode" when Modes.Contains(value) => settings with { Mode = value },
                "--mode" => throw new ArgumentException($"Unknown mode '{value}'; use {string.Join(", ", Modes)}."),
                "--datasets" => settings with { Datasets = value.Split(',') },
                "--seeds" => settings with { Seeds = value.Split(',').Select(int.Parse).ToArray() },
                "--classes" => settings with { Classes = ParseRange(value) },
                "--out" => settings with { Output = value },
                "--threads" => settings with { Threads = int.Parse(value) },
                "--parallel" => settings with { ParallelClasses = int.Parse(value) },
                "--methods" => settings with { Methods = value.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) },
                _ => throw new ArgumentException($"Unknown option {args[i]}; options: --mode --datasets --seeds --classes --out --threads --parallel --methods"),
            };
        }
        return settings;
    }

    /// <summary>The methods named in <see cref="Methods"/>, in the list's order (all when none is given).</summary>
    public QualityMethod[] Select(QualityMethod[] methods)
    {
        if (Methods is null) return methods;
        var unknown = Methods.Where(name => methods.All(m => m.Name != name)).ToArray();
        if (unknown.Length > 0)
            throw new ArgumentException($"--methods: no method named '{string.Join("', '", unknown)}'; the names are: {string.Join("; ", methods.Select(m => m.Name))}");
        return methods.Where(m => Methods.Contains(m.Name)).ToArray();
    }

    /// <summary>"0-9" or "0,3,5".</summary>
    private static int[] ParseRange(string value)
    {
        if (!value.Contains('-')) return value.Split(',').Select(int.Parse).ToArray();
        var ends = value.Split('-').Select(int.Parse).ToArray();
        return Enumerable.Range(ends[0], ends[1] - ends[0] + 1).ToArray();
    }
}
