using System.Globalization;
using AnomalyAE.Hosting.Records;
using AnomalyAE.Persistence;

namespace AnomalyAE.Hosting.Channels.Inbox;

/// <summary>
/// The outcomes of the inbox's current file, kept as CSV text until the file is complete, then written atomically: scores
/// (id, score, predicted label under the model's column names), alerts (the same plus the top features when the model
/// emits contributions) and rejections (line, id, reason).
/// </summary>
internal sealed class InboxFileResults
{
    private StringWriter _scores = new(CultureInfo.InvariantCulture), _alerts = new(CultureInfo.InvariantCulture), _rejections = new(CultureInfo.InvariantCulture);
    private string? _scoreColumn, _labelColumn;
    private int _topColumns;

    /// <summary>Records with an outcome so far.</summary>
    public int Records { get; private set; }
    public int Scored { get; private set; }
    public int Anomalies { get; private set; }
    public int Rejected { get; private set; }

    /// <summary>Adds a committed batch whose first record is record <paramref name="first"/> of <paramref name="records"/>.</summary>
    public void Add(ScoredBatch outcomes, int first, TextRecords records, int alertTopFeatures)
    {
        if (_scoreColumn is null)
        {
            // The first batch names the columns; a model swapped in mid-file keeps them (its rows still line up).
            _scoreColumn = outcomes.ScoreColumnName;
            _labelColumn = outcomes.PredictedLabelColumnName;
            _topColumns = outcomes.HasContributions ? alertTopFeatures : 0;
        }
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
            WriteResult(_scores, id, outcomes.Score(r), anomaly);
            _scores.Write('\n');
            Records++;
            Scored++;
            if (!anomaly) continue;
            Anomalies++;
            WriteResult(_alerts, id, outcomes.Score(r), anomaly);
            int filled = outcomes.TopFeatures(r, top);
            for (int i = 0; i < _topColumns; i++)
            {
                _alerts.Write(',');
                if (i < filled) CsvFormat.WriteCell(_alerts, top[i].Name);
                _alerts.Write(',');
                if (i < filled) _alerts.Write(top[i].Share);
            }
            _alerts.Write('\n');
        }
    }

    /// <summary>Sets a record aside with the reason.</summary>
    public void Reject(TextRecords records, int record, string reason)
    {
        _rejections.Write(records.Line(record));
        _rejections.Write(',');
        CsvFormat.WriteCell(_rejections, records.IdOf(record));
        _rejections.Write(',');
        CsvFormat.WriteCell(_rejections, reason);
        _rejections.Write('\n');
        Records++;
        Rejected++;
    }

    /// <summary>A rejection of the file as a whole (no line, no id).</summary>
    public void RejectFile(string reason)
    {
        _rejections.Write("file,,");
        CsvFormat.WriteCell(_rejections, reason);
        _rejections.Write('\n');
        Rejected++;
    }

    /// <summary>Writes the scores and alerts files, unless no record was scored by any model.</summary>
    public void WriteScores(string scoresPath, string alertsPath, string idField)
    {
        if (_scoreColumn is null) return;
        string[] header = [idField, _scoreColumn, _labelColumn!];
        var topHeader = Enumerable.Range(1, _topColumns).SelectMany(i => new[] { $"top{i}_feature", $"top{i}_share" });
        AtomicFile.WriteText(scoresPath, w => { CsvFormat.WriteRow(w, header); w.Write(_scores.GetStringBuilder()); });
        AtomicFile.WriteText(alertsPath, w => { CsvFormat.WriteRow(w, header.Concat(topHeader)); w.Write(_alerts.GetStringBuilder()); });
    }

    /// <summary>Writes the rejections file when there is any rejection.</summary>
    public void WriteRejections(string path)
    {
        if (_rejections.GetStringBuilder().Length == 0) return;
        AtomicFile.WriteText(path, w => { CsvFormat.WriteRow(w, ["line", "id", "reason"]); w.Write(_rejections.GetStringBuilder()); });
    }

    public void Clear()
    {
        _scores = new(CultureInfo.InvariantCulture);
        _alerts = new(CultureInfo.InvariantCulture);
        _rejections = new(CultureInfo.InvariantCulture);
        _scoreColumn = _labelColumn = null;
        _topColumns = 0;
        Records = Scored = Anomalies = Rejected = 0;
    }

    private static void WriteResult(TextWriter writer, string id, float score, bool anomaly)
    {
        CsvFormat.WriteCell(writer, id);
        writer.Write(',');
        writer.Write(score);
        writer.Write(anomaly ? ",true" : ",false");
    }
}
