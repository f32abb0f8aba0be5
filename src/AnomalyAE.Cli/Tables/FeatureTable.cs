using AnomalyAE.DataViews;
using Microsoft.ML;

namespace AnomalyAE.Cli.Tables;

/// <summary>
/// A CSV table split into roles: feature columns (numbers), an optional label column (numbers) and an optional id
/// column (text, passed through), as the IDataView that the model pipelines consume.
/// </summary>
internal sealed class FeatureTable
{
    public const string DefaultIdColumn = "id";
    public const string DefaultLabelColumn = "label";

    private FeatureTable(CsvTable csv, string[] features, string? label, string? id, float[]? labels, IDataView data)
    {
        Labels = labels;
        Csv = csv;
        FeatureColumns = features;
        LabelColumn = label;
        IdColumn = id;
        Data = data;
    }

    public CsvTable Csv { get; }
    public string[] FeatureColumns { get; }
    public string? LabelColumn { get; }
    public string? IdColumn { get; }
    /// <summary>The label column's values, parsed once; null without a label column.</summary>
    public float[]? Labels { get; }
    public IDataView Data { get; }

    /// <summary>Every column except the label and id columns is a feature.</summary>
    public static FeatureTable ForTraining(CsvTable csv, string? labelColumn, string? idColumn)
    {
        string? label = Resolve(csv, labelColumn, DefaultLabelColumn, "label");
        string? id = Resolve(csv, idColumn, DefaultIdColumn, "id");
        var features = csv.Header.Where(h => !Same(h, label) && !Same(h, id)).ToArray();
        if (features.Length == 0) throw new CliException($"{csv.Path}: no feature columns left after the label and id columns.");
        return Build(csv, features, label, id);
    }

    /// <summary>The features a saved model was trained on must all be present; other columns are carried along.</summary>
    public static FeatureTable ForScoring(CsvTable csv, IReadOnlyList<string> modelFeatures, string? labelColumn, string? idColumn)
    {
        foreach (var feature in modelFeatures) csv.IndexOf(feature, "a feature the model was trained on");
        string? label = Resolve(csv, labelColumn, DefaultLabelColumn, "label");
        string? id = Resolve(csv, idColumn, DefaultIdColumn, "id");
        return Build(csv, [.. modelFeatures], label, id);
    }

    private static FeatureTable Build(CsvTable csv, string[] features, string? label, string? id)
    {
        var view = new ColumnarDataView.Builder();
        foreach (var feature in features) view.AddSingle(Canonical(csv, feature), csv.Numbers(csv.IndexOf(feature, "feature")));
        float[]? labels = label is null ? null : csv.Numbers(csv.IndexOf(label, "label"));
        if (labels is not null) view.AddSingle(Canonical(csv, label!), labels);
        if (id is not null)
        {
            int idIndex = csv.IndexOf(id, "id");
            view.AddText(Canonical(csv, id), csv.Rows.Select(r => r[idIndex]).ToArray());
        }
        return new FeatureTable(csv, features.Select(f => Canonical(csv, f)).ToArray(), label is null ? null : Canonical(csv, label), id is null ? null : Canonical(csv, id),
            labels, view.Build());
    }

    private static string? Resolve(CsvTable csv, string? requested, string conventional, string purpose)
    {
        if (requested is not null)
        {
            csv.IndexOf(requested, $"the {purpose} column");
            return requested;
        }
        return csv.Has(conventional) ? conventional : null;
    }

    private static string Canonical(CsvTable csv, string name) => csv.Header[csv.IndexOf(name, "column")];

    private static bool Same(string a, string? b) => b is not null && string.Equals(a, b, StringComparison.OrdinalIgnoreCase);
}
