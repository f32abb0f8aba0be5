namespace AnomalyAE.Bench;

/// <summary>Command-line settings of the benchmark.</summary>
internal sealed record BenchSettings(int[] Threads, int ScoringRows, int Epochs, int Repeats, int SoakRows)
{
    public static BenchSettings Parse(string[] args)
    {
        var settings = new BenchSettings([1, 2], 50_000, 4, 3, 1_000_000);
        for (int i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            settings = args[i] switch
            {
                "--threads" => settings with { Threads = Value().Split(',').Select(int.Parse).ToArray() },
                "--rows" => settings with { ScoringRows = int.Parse(Value()) },
                "--epochs" => settings with { Epochs = int.Parse(Value()) },
                "--repeats" => settings with { Repeats = int.Parse(Value()) },
                "--soak" => settings with { SoakRows = int.Parse(Value()) },
                _ => throw new ArgumentException($"Unknown option '{args[i]}'. Options: --threads 1,2 --rows N --epochs N --repeats N --soak N."),
            };
        }
        return settings;
    }
}
