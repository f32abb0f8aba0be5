namespace AnomalyAE.Samples;

/// <summary>Command-line settings of the demo; the defaults reproduce the article.</summary>
internal sealed record DemoArguments(string Output, int Epochs, int Threads)
{
    public static DemoArguments Parse(string[] args)
    {
        string output = Path.Combine("output", "mnist-demo");
        int epochs = 50, threads = Environment.ProcessorCount;
        for (int i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            switch (args[i])
            {
                case "--out": output = Value(); break;
                case "--epochs": epochs = int.Parse(Value()); break;
                case "--threads": threads = int.Parse(Value()); break;
                default: throw new ArgumentException($"Unknown option '{args[i]}'. Options: --out DIR, --epochs N, --threads N.");
            }
        }
        return new DemoArguments(output, epochs, threads);
    }
}
