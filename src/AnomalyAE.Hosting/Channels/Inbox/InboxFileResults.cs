using System.Globalization;
using System.Text;
using AnomalyAE.Hosting.Records;
using AnomalyAE.Persistence;

namespace AnomalyAE.Hosting.Channels.Inbox;

/// <summary>
/// The outcomes of one inbox file, kept as CSV text until the file is finished, then written atomically: scores (id,
/// score, predicted label under the model's column names), alerts (the same plus the top features when the model emits
/// contributions) and rejections (line, id, reason). While the file is open, a <see cref="Mark"/> taken where its
/// records so far are all committed is what a checkpoint saves (<see cref="ResultParts"/>).
/// </summary>
internal sealed class InboxFileResults
{
    private readonly StringBuilder[] _texts = [new(), new(), new()];
    private int _topColumns;

    public string? ScoreColumn { get; private set; }
    public string? LabelColumn { get; private set; }
    /// <summary>For a sequence model: the alerts' series column (then a <c>step</c> column); null otherwise.</summary>
    public string? SeriesColumn { get; private set; }

    /// <summary>Records with an outcome so far.</summary>
    public int Records { get; private set; }
    public int Scored { get; private set; }
    public int Anomalies { get; private set; }
    public int Rejected { get; private set; }

    /// <summary>Adds a committed batch whose first record is record <paramref name="first"/> of <paramref name="records"/>.</summary>
    public void Add(ScoredBatch outcomes, int first, TextRecords records, int alertTopFeatures)
    {
        if (ScoreColumn is null)
        {
            // The first batch names the columns; a model swapped in mid-file keeps them (its rows still line up).
            ScoreColumn = outcomes.ScoreColumnName;
            LabelColumn = outcomes.PredictedLabelColumnName;
            _topColumns = outcomes.HasContributions ? alertTopFeatures : 0;
            SeriesColumn = outcomes.SeriesField;
        }
        using var scores = Writer(ResultKind.Scores);
        using var alerts = Writer(ResultKind.Alerts);
        var top = new (string Name, float Share)[_topColumns];
        for (int r = 0; r < outcomes.Count; r++)
        {
            if (outcomes.Error(r) is { } error)
            {
                Reject(records, first + r, error);
                continue;
            }
            bool anomaly = outcomes.IsAnomaly(r);
            string id = outcomes.Batch.Id(r);
            WriteResult(scores, id, outcomes.Score(r), anomaly);
            scores.Write('\n');
            Records++;
            Scored++;
            if (!anomaly) continue;
            Anomalies++;
            WriteResult(alerts, id, outcomes.Score(r), anomaly);
            if (SeriesColumn is not null)
            {
                alerts.Write(',');
                CsvFormat.WriteCell(alerts, outcomes.Series?[r] ?? "");
                alerts.Write(',');
                CsvFormat.WriteCell(alerts, outcomes.Steps?[r] ?? "");
            }
            int filled = outcomes.TopFeatures(r, top);
            for (int i = 0; i < _topColumns; i++)
            {
                alerts.Write(',');
                if (i < filled) CsvFormat.WriteCell(alerts, top[i].Name);
                alerts.Write(',');
                if (i < filled) alerts.Write(top[i].Share);
            }
            alerts.Write('\n');
        }
    }

    /// <summary>Sets a record aside with the reason.</summary>
    public void Reject(TextRecords records, int record, string reason)
    {
        using var rejections = Writer(ResultKind.Rejections);
        rejections.Write(records.Line(record));
        rejections.Write(',');
        CsvFormat.WriteCell(rejections, records.IdOf(record));
        rejections.Write(',');
        CsvFormat.WriteCell(rejections, reason);
        rejections.Write('\n');
        Records++;
        Rejected++;
    }

    /// <summary>A rejection of the file as a whole (no line, no id).</summary>
    public void RejectFile(string reason)
    {
        using var rejections = Writer(ResultKind.Rejections);
        rejections.Write("file,,");
        CsvFormat.WriteCell(rejections, reason);
        rejections.Write('\n');
        Rejected++;
    }

    /// <summary>Writes the scores and alerts files, unless no record was scored by any model.</summary>
    public void WriteScores(string scoresPath, string alertsPath, string idField)
    {
        if (ScoreColumn is null) return;
        string[] header = [idField, ScoreColumn, LabelColumn!];
        var topHeader = Enumerable.Range(1, _topColumns).SelectMany(i => new[] { $"top{i}_feature", $"top{i}_share" });
        AtomicFile.WriteText(scoresPath, w => { CsvFormat.WriteRow(w, header); w.Write(Text(ResultKind.Scores)); });
        var seriesHeader = SeriesColumn is null ? [] : new[] { SeriesColumn, "step" };
        AtomicFile.WriteText(alertsPath, w => { CsvFormat.WriteRow(w, header.Concat(seriesHeader).Concat(topHeader)); w.Write(Text(ResultKind.Alerts)); });
    }

    /// <summary>Writes the rejections file when there is any rejection.</summary>
    public void WriteRejections(string path)
    {
        if (Text(ResultKind.Rejections).Length == 0) return;
        AtomicFile.WriteText(path, w => { CsvFormat.WriteRow(w, ["line", "id", "reason"]); w.Write(Text(ResultKind.Rejections)); });
    }

    /// <summary>The CSV rows (no header) of one kind of result so far.</summary>
    public StringBuilder Text(ResultKind kind) => _texts[(int)kind];

    /// <summary>Where the results stand now: what a checkpoint taken now saves.</summary>
    public ResultsMark Mark() =>
        new(ScoreColumn, LabelColumn, _topColumns, Records, Scored, Anomalies, Rejected, [.. _texts.Select(t => t.Length)]) { SeriesColumn = SeriesColumn };

    /// <summary>Results as a checkpoint saved them: <paramref name="mark"/>'s columns and counts, <paramref name="texts"/> per kind.</summary>
    public static InboxFileResults Restore(ResultsMark mark, string[] texts)
    {
        var results = new InboxFileResults
        {
            ScoreColumn = mark.ScoreColumn, LabelColumn = mark.LabelColumn, SeriesColumn = mark.SeriesColumn, _topColumns = mark.TopColumns,
            Records = mark.Records, Scored = mark.Scored, Anomalies = mark.Anomalies, Rejected = mark.Rejected,
        };
        for (int k = 0; k < texts.Length; k++) results._texts[k].Append(texts[k]);
        return results;
    }

    private StringWriter Writer(ResultKind kind) => new(_texts[(int)kind], CultureInfo.InvariantCulture);

    private static void WriteResult(TextWriter writer, string id, float score, bool anomaly)
    {
        CsvFormat.WriteCell(writer, id);
        writer.Write(',');
        writer.Write(score);
        writer.Write(anomaly ? ",true" : ",false");
    }
}

/// <summary>The three kinds of result of an inbox file.</summary>
internal enum ResultKind
{
    Scores,
    Alerts,
    Rejections,
}

/// <summary>
/// A point in an <see cref="InboxFileResults"/>: the columns, the counts, and the length of each kind's text
/// (<see cref="ResultKind"/> order) — the results of every record before it and of none after.
/// </summary>
internal sealed record ResultsMark(string? ScoreColumn, string? LabelColumn, int TopColumns, int Records, int Scored, int Anomalies, int Rejected, int[] Lengths)
{
    /// <summary>The alerts' series column of a sequence model; null otherwise (and in checkpoints written before it existed).</summary>
    public string? SeriesColumn { get; init; }
}
