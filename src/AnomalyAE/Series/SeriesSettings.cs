namespace AnomalyAE.Series;

/// <summary>
/// What a sequence stage reads from each row and how it windows the rows: the channels (a feature column, or Single columns),
/// the series and order columns, the window, the score aggregation and the missing-value handling. Saved in model files.
/// </summary>
internal sealed record SeriesSettings
{
    /// <summary>Steps per window.</summary>
    public required int WindowSize { get; init; }
    /// <summary>Values per step.</summary>
    public required int Channels { get; init; }
    /// <summary>The channels' column when <see cref="ChannelColumnNames"/> is null: a Single column or a known-size vector of Single.</summary>
    public required string FeatureColumnName { get; init; }
    /// <summary>The channels as Single columns, or null.</summary>
    public string[]? ChannelColumnNames { get; init; }
    /// <summary>The series column, or null for one series.</summary>
    public string? SeriesColumnName { get; init; }
    /// <summary>The order column, or null for rows in order.</summary>
    public string? OrderColumnName { get; init; }
    /// <summary>How covering windows make a step's score.</summary>
    public required WindowScoreAggregation ScoreAggregation { get; init; }
    /// <summary>What a missing value does.</summary>
    public required MissingValueHandling MissingValues { get; init; }
    /// <summary>The score baseline fitted with the model, or null: the score is the window's reconstruction error (and files before it).</summary>
    public ScoreBaselineSettings? Baseline { get; init; }

    /// <summary>The settings of <paramref name="options"/> for <paramref name="channels"/> channels.</summary>
    public static SeriesSettings From(SequenceAutoencoderOptions options, int channels) => new()
    {
        WindowSize = options.WindowSize,
        Channels = channels,
        FeatureColumnName = options.FeatureColumnName,
        ChannelColumnNames = options.ChannelColumnNames?.ToArray(),
        SeriesColumnName = options.SeriesColumnName,
        OrderColumnName = options.OrderColumnName,
        ScoreAggregation = options.ScoreAggregation,
        MissingValues = options.MissingValues,
    };

    /// <summary>The columns the channels come from, for messages.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public string ChannelSource => ChannelColumnNames is { } names ? string.Join(", ", names.Select(n => $"'{n}'")) : $"'{FeatureColumnName}'";

    /// <summary>Checks every value by the options' rules (for model files).</summary>
    public void Validate(Rules rules)
    {
        rules.Range(nameof(WindowSize), WindowSize, 2, Networks.SequenceAutoencoderSpec.MaxWindowSize);
        rules.Range(nameof(Channels), Channels, 1, Rules.MaxWidth);
        rules.ColumnName(nameof(FeatureColumnName), FeatureColumnName);
        if (ChannelColumnNames is { } names)
        {
            rules.Require(names.Length == Channels, nameof(ChannelColumnNames), $"ChannelColumnNames lists {names.Length} columns for {Channels} channels.");
            for (int i = 0; i < names.Length; i++) rules.ColumnName($"{nameof(ChannelColumnNames)}[{i}]", names[i]);
        }
        if (SeriesColumnName is not null) rules.ColumnName(nameof(SeriesColumnName), SeriesColumnName);
        if (OrderColumnName is not null) rules.ColumnName(nameof(OrderColumnName), OrderColumnName);
        rules.Defined(nameof(ScoreAggregation), ScoreAggregation);
        rules.Defined(nameof(MissingValues), MissingValues);
        Baseline?.Validate(rules);
    }
}
