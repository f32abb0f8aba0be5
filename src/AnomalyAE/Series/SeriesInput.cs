using Microsoft.ML;
using Microsoft.ML.Data;

namespace AnomalyAE.Series;

/// <summary>
/// The columns of an input schema that a sequence stage reads (<see cref="SeriesSettings"/>), found and type-checked with
/// messages that name the column, the type expected and found, and the fix.
/// </summary>
internal sealed class SeriesInput
{
    private SeriesInput(DataViewSchema schema, SeriesSettings settings, DataViewSchema.Column[] channelColumns, int channels, DataViewSchema.Column? series, DataViewSchema.Column? order)
    {
        Schema = schema;
        Settings = settings;
        ChannelColumns = channelColumns;
        Channels = channels;
        SeriesColumn = series;
        OrderColumn = order;
    }

    /// <summary>The input schema the columns belong to.</summary>
    public DataViewSchema Schema { get; }
    public SeriesSettings Settings { get; }
    /// <summary>The feature column, or the channel columns in order.</summary>
    public DataViewSchema.Column[] ChannelColumns { get; }
    /// <summary>Values per step.</summary>
    public int Channels { get; }
    public DataViewSchema.Column? SeriesColumn { get; }
    public DataViewSchema.Column? OrderColumn { get; }

    /// <summary>Every column read, for cursors.</summary>
    public IEnumerable<DataViewSchema.Column> Columns => ChannelColumns.Concat(new[] { SeriesColumn, OrderColumn }.OfType<DataViewSchema.Column>());

    /// <summary>The channels' names: the channel columns, the feature column's slot names, or <c>channel_i</c>.</summary>
    public string[] ChannelNames()
    {
        if (Settings.ChannelColumnNames is { } names) return [.. names];
        var column = ChannelColumns[0];
        if (column.Type is VectorDataViewType && column.HasSlotNames())
        {
            VBuffer<ReadOnlyMemory<char>> slots = default;
            column.GetSlotNames(ref slots);
            var dense = slots.DenseValues().Select(s => s.ToString()).ToArray();
            if (dense.Length == Channels && dense.All(s => s.Length > 0)) return dense;
        }
        return Channels == 1 ? [column.Name] : [.. Enumerable.Range(0, Channels).Select(i => $"{column.Name}[{i}]")];
    }

    /// <summary>
    /// The columns of <paramref name="schema"/> for <paramref name="settings"/>; with <paramref name="expectedChannels"/> (a
    /// fitted model), the channels must number that many.
    /// </summary>
    public static SeriesInput Bind(DataViewSchema schema, SeriesSettings settings, int? expectedChannels)
    {
        DataViewSchema.Column[] channelColumns;
        int channels;
        if (settings.ChannelColumnNames is { } names)
        {
            channelColumns = [.. names.Select(name => Find(schema, name, "Channel", "ChannelColumnNames"))];
            foreach (var column in channelColumns)
                if (column.Type != NumberDataViewType.Single)
                    throw new ArgumentOutOfRangeException(nameof(schema), $"Channel column '{column.Name}' must be Single but is {column.Type}. " +
                        $"Convert it with ml.Transforms.Conversion.ConvertType(\"{column.Name}\", outputKind: DataKind.Single), or read a vector column with FeatureColumnName.");
            channels = channelColumns.Length;
        }
        else
        {
            var column = Find(schema, settings.FeatureColumnName, "Feature", "FeatureColumnName");
            channels = column.Type switch
            {
                var t when t == NumberDataViewType.Single => 1,
                VectorDataViewType { ItemType: var item, IsKnownSize: true, Size: var size } when item == NumberDataViewType.Single => size,
                var t => throw new ArgumentOutOfRangeException(nameof(schema), $"Feature column '{column.Name}' must be Single (one channel) or a known-size vector of Single " +
                    $"(one channel per slot) but is {t}. Build it with ml.Transforms.Concatenate(\"{column.Name}\", ...) from Single columns, or name the channels with ChannelColumnNames."),
            };
            channelColumns = [column];
        }
        if (expectedChannels is int expected && channels != expected)
            throw new ArgumentOutOfRangeException(nameof(schema), $"The channels ({settings.ChannelSource}) hold {channels} values per row, but the model was trained on {expected}. " +
                "Score data prepared exactly like the training data (same columns, same order).");
        var series = settings.SeriesColumnName is { } seriesName ? Find(schema, seriesName, "Series", "SeriesColumnName") : (DataViewSchema.Column?)null;
        if (series is { } s && !SeriesKeys.Supports(s.Type))
            throw new ArgumentOutOfRangeException(nameof(schema), $"Series column '{s.Name}' is {s.Type}; a series column is Text, or an integer, floating-point or key type. " +
                $"Convert it with ml.Transforms.Conversion.ConvertType(\"{s.Name}\", outputKind: DataKind.String).");
        var order = settings.OrderColumnName is { } orderName ? Find(schema, orderName, "Order", "OrderColumnName") : (DataViewSchema.Column?)null;
        if (order is { } o && !OrderReader.Supports(o.Type))
            throw new ArgumentOutOfRangeException(nameof(schema), $"Order column '{o.Name}' is {o.Type}; an order column is an integer, floating-point, DateTime, DateTimeOffset or Text column. " +
                $"Convert it with ml.Transforms.Conversion.ConvertType(\"{o.Name}\", outputKind: DataKind.Int64).");
        return new SeriesInput(schema, settings, channelColumns, channels, series, order);
    }

    /// <summary>The same checks on a <see cref="SchemaShape"/> (an estimator's output schema), as far as a shape tells.</summary>
    public static void Check(SchemaShape schema, SeriesSettings settings)
    {
        foreach (var (name, role, option) in (settings.ChannelColumnNames?.Select(n => (n, "Channel", "ChannelColumnNames")) ?? [(settings.FeatureColumnName, "Feature", "FeatureColumnName")])
                     .Concat(new[] { (settings.SeriesColumnName, "Series", "SeriesColumnName"), (settings.OrderColumnName, "Order", "OrderColumnName") }.Where(c => c.Item1 is not null)!))
        {
            if (!schema.Any(c => c.Name == name))
                throw new ArgumentOutOfRangeException(nameof(schema), $"{role} column '{name}' was not found in the input schema. Set {option} to a column of the input.");
        }
    }

    private static DataViewSchema.Column Find(DataViewSchema schema, string name, string role, string option) =>
        schema.GetColumnOrNull(name) ?? throw new ArgumentOutOfRangeException(nameof(schema),
            $"{role} column '{name}' was not found in the input. Available columns: {Describe(schema)}. Set {option} to one of them.");

    private static string Describe(DataViewSchema schema) =>
        schema.Count == 0 ? "(none)" : string.Join(", ", schema.Where(c => !c.IsHidden).Select(c => $"'{c.Name}' ({c.Type})"));
}
