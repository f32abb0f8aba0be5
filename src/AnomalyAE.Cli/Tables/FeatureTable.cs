using AnomalyAE.DataViews;
using Microsoft.ML;

namespace AnomalyAE.Cli.Tables;

/// <summary>
/// A CSV table split into roles: feature columns (numbers), an optional label column (numbers) and an optional id
/// column (text, passed through), as the IDataView that the model pipelines consume. Either read whole
/// (<see cref="CsvTable"/>, for commands that need every row at once) or streamed (<see cref="CsvDataView"/>, for
/// training and scoring files of any size).
/// </summary>
internal sealed class FeatureTable
{
    public const string DefaultIdColumn = "id";
    public const string DefaultLabelColumn = "label";

    private readonly CsvTable? _csv;

    private FeatureTable(string path, CsvTable? csv, Roles roles, float[]? labels, IDataView data)
    {
        Path = path;
        _csv = csv;
        FeatureColumns = roles.Features;
        LabelColumn = roles.Label;
        IdColumn = roles.Id;
        Labels = labels;
        Data = data;
    }

    /// <summary>The file's name in messages.</summary>
    public string Path { get; }
    /// <summary>The rows read whole; only tables read from a <see cref="CsvTable"/> have them.</summary>
    public CsvTable Csv => _csv ?? throw new InvalidOperationException($"{Path} is streamed: its rows are not held in memory.");
    public string[] FeatureColumns { get; }
    public string? LabelColumn { get; }
    public string? IdColumn { get; }
    /// <summary>The label column's values, parsed once; null without a label column or when streamed.</summary>
    public float[]? Labels { get; }
    public IDataView Data { get; }

    /// <summary>Every column except the label and id columns is a feature.</summary>
    public static FeatureTable ForTraining(CsvTable csv, string? labelColumn, string? idColumn) =>
        Build(csv, Roles.ForTraining(csv.Path, csv.Header, labelColumn, idColumn));

    /// <summary>
    /// The features a saved model was trained on must all be present; other columns are carried along. Feature cells may be
    /// missing (NaN) with <paramref name="allowMissing"/>, for a sequence model.
    /// </summary>
    public static FeatureTable ForScoring(CsvTable csv, IReadOnlyList<string> modelFeatures, string? labelColumn, string? idColumn, bool allowMissing = false) =>
        Build(csv, Roles.ForScoring(csv.Path, csv.Header, modelFeatures, labelColumn, idColumn), allowMissing);

    /// <summary>As <see cref="ForTraining(CsvTable, string?, string?)"/>, streamed from the file; a time series' series and order columns are not features.</summary>
    public static FeatureTable ForTraining(CsvDataView csv, string? labelColumn, string? idColumn, SeriesRoles? series = null)
    {
        var roles = Roles.ForTraining(csv.Path, csv.Header, labelColumn, idColumn, series?.Series, series?.Order);
        return new FeatureTable(csv.Path, null, roles, null, series is null
            ? csv.WithColumns(roles.Features, roles.Label, roles.Id)
            : csv.WithSeriesColumns(roles.Features, roles.Label, roles.Id, series.Series, series.Order, allowMissing: true));
    }

    /// <summary>As <see cref="ForScoring(CsvTable, IReadOnlyList{string}, string?, string?)"/>, streamed, with each row's cells in <see cref="CsvDataView.CellsColumn"/>.</summary>
    public static FeatureTable ForScoring(CsvDataView csv, IReadOnlyList<string> modelFeatures, string? labelColumn, string? idColumn, SeriesRoles? series = null)
    {
        var roles = Roles.ForScoring(csv.Path, csv.Header, modelFeatures, labelColumn, idColumn);
        return new FeatureTable(csv.Path, null, roles, null, series is null
            ? csv.WithColumns(roles.Features, roles.Label, roles.Id, cells: true)
            : csv.WithSeriesColumns(roles.Features, roles.Label, roles.Id, series.Series, series.Order, allowMissing: true, cells: true));
    }

    /// <summary>A time series file's series and order columns (either may be null): read as such, never as features.</summary>
    public sealed record SeriesRoles(string? Series, string? Order);

    private static FeatureTable Build(CsvTable csv, Roles roles, bool allowMissing = false)
    {
        var view = new ColumnarDataView.Builder();
        foreach (var feature in roles.Features) view.AddSingle(feature, csv.Numbers(csv.IndexOf(feature, "feature"), allowMissing));
        float[]? labels = roles.Label is null ? null : csv.Numbers(csv.IndexOf(roles.Label, "label"));
        if (labels is not null) view.AddSingle(roles.Label!, labels);
        if (roles.Id is not null)
        {
            int idIndex = csv.IndexOf(roles.Id, "id");
            view.AddText(roles.Id, csv.Rows.Select(r => r[idIndex]).ToArray());
        }
        return new FeatureTable(csv.Path, csv, roles, labels, view.Build());
    }

    /// <summary>Which columns of a header are features, label and id; names as the header spells them.</summary>
    private sealed record Roles(string[] Features, string? Label, string? Id)
    {
        public static Roles ForTraining(string path, string[] header, string? labelColumn, string? idColumn, string? seriesColumn = null, string? orderColumn = null)
        {
            string? label = Resolve(path, header, labelColumn, DefaultLabelColumn, "label");
            string? id = Resolve(path, header, idColumn, DefaultIdColumn, "id");
            string? series = seriesColumn is null ? null : Resolve(path, header, seriesColumn, seriesColumn, "series");
            string? order = orderColumn is null ? null : Resolve(path, header, orderColumn, orderColumn, "order");
            var features = header.Where(h => !Same(h, label) && !Same(h, id) && !Same(h, series) && !Same(h, order)).ToArray();
            if (features.Length == 0) throw new CliException($"{path}: no feature columns left after the label, id, series and order columns.");
            return new Roles(features, label, id);
        }

        public static Roles ForScoring(string path, string[] header, IReadOnlyList<string> modelFeatures, string? labelColumn, string? idColumn)
        {
            var features = modelFeatures.Select(f => header[CsvRows.IndexOf(path, header, f, "a feature the model was trained on")]).ToArray();
            return new Roles(features, Resolve(path, header, labelColumn, DefaultLabelColumn, "label"), Resolve(path, header, idColumn, DefaultIdColumn, "id"));
        }

        /// <summary>The requested column (which must exist) or the conventional one when present; the header's spelling.</summary>
        private static string? Resolve(string path, string[] header, string? requested, string conventional, string purpose)
        {
            if (requested is not null) return header[CsvRows.IndexOf(path, header, requested, $"the {purpose} column")];
            int index = Array.FindIndex(header, h => Same(h, conventional));
            return index < 0 ? null : header[index];
        }

        private static bool Same(string a, string? b) => b is not null && string.Equals(a, b, StringComparison.OrdinalIgnoreCase);
    }
}
