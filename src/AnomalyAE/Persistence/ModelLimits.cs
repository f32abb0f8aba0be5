namespace AnomalyAE.Persistence;

/// <summary>
/// The largest values a model file may hold. They bound what a file can make the reader allocate or libtorch compute,
/// whoever wrote it; legitimate models stay far inside them (the option limits are the same or tighter).
/// </summary>
internal static class ModelLimits
{
    public const long ManifestBytes = 16 << 20;
    public const long SealBytes = 64 << 10;
    /// <summary>An ML.NET segment (normalizers, the input schema, …).</summary>
    public const long MLNetEntryBytes = 512L << 20;
    /// <summary>The weights and buffers of one network stage (1 GiB: a quarter of a billion floats).</summary>
    public const long WeightBytes = 1L << 30;
    public const int Entries = 1 + 1 + 1 + Stages;
    public const int Stages = 256;
    public const int Width = Rules.MaxWidth;
    public const int Threads = Rules.MaxThreads;
    public const int ScoringBatchSize = Rules.MaxBatchSize;
    public const int HistoryEntries = 1_000_000;
    public const int OutputColumns = 16;
    public const int ColumnNameLength = Rules.MaxColumnNameLength;
}
