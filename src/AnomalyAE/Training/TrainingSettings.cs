namespace AnomalyAE.Training;

/// <summary>How a network is trained: the optimization half of the options (the model half is a <c>NetworkSpec</c>).</summary>
internal sealed record TrainingSettings
{
    public required AutoencoderOptimizer Optimizer { get; init; }
    public required int Epochs { get; init; }
    public required int BatchSize { get; init; }
    public required double LearningRate { get; init; }
    public required double WeightDecay { get; init; }
    public required double ValidationFraction { get; init; }
    public required int EarlyStoppingPatience { get; init; }
    /// <summary>Fraction of each batch's rows with the largest loss left out of the gradient (0 = plain mean).</summary>
    public required double TrimmedFraction { get; init; }
    public required int Seed { get; init; }
    public required int Threads { get; init; }
    /// <summary>Drop a final batch of one row: batch norm cannot normalize a single row.</summary>
    public required bool DropSingleRowBatch { get; init; }
    public IProgress<TrainingProgress>? Progress { get; init; }
}
