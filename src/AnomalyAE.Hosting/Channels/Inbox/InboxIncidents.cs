using AnomalyAE.Hosting.Telemetry;
using Microsoft.Extensions.Logging;

namespace AnomalyAE.Hosting.Channels.Inbox;

/// <summary>
/// Makes visible what the inbox could not finish as one complete file: a warning in the log, the counter
/// <see cref="ScoringMeter.InboxFilesIncomplete"/> with the reason, and, where rows may be missing, a dead letter
/// (<c>deadletter/NAME.errors.csv</c>) naming the file, the rows scored and the reason, next to the results of the rows
/// that were scored.
/// </summary>
internal sealed class InboxIncidents(InboxFolders folders, string idField, string workerId, ILogger log, ScoringMetrics? metrics)
{
    /// <summary>
    /// The file got shorter, or its bytes before the read offset changed, while it was read: what its writer wrote there
    /// cannot be known. The rows scored are written, the input goes to deadletter/ with the reason.
    /// </summary>
    public void Truncated(OpenInboxFile file, FileLookResult how)
    {
        string what = how == FileLookResult.Shrunk
            ? $"was truncated from {file.Offset} to {file.Length} bytes"
            : $"was rewritten (its bytes before byte {file.Offset} changed)";
        string reason = $"{file.Name} {what} while it was being read, after {Rows(file)} rows were scored (its first {file.Offset} bytes); "
            + "what it holds now is not scored. The input is kept in deadletter/: send rows that are missing in a new file";
        file.Results.RejectFile(reason);
        file.Results.WriteScores(folders.Scores(file.Stem), folders.Alerts(file.Stem), idField);
        file.Results.WriteRejections(folders.Errors(file.Stem));
        FileMoves.MoveUnique(file.Path, folders.DeadLetter);
        log.LogWarning("{File} {What} while it was being read, after {Rows} rows were scored; they are written, the input and the reason are in deadletter/",
            file.Name, what, Rows(file));
        metrics?.InboxFileIncomplete("truncated");
    }

    /// <summary>The file vanished from processing/ while it was read (not to another worker): the rest of it cannot be known.</summary>
    public void Removed(OpenInboxFile file)
    {
        string reason = $"{file.Name} was removed from processing/{workerId} while it was being read, after {Rows(file)} rows were scored "
            + $"(its first {file.Offset} bytes); the rest of it, if any, is not scored";
        file.Results.RejectFile(reason);
        // Should another worker have the file after all, its results are complete: never overwrite them with these.
        if (!File.Exists(folders.Scores(file.Stem))) file.Results.WriteScores(folders.Scores(file.Stem), folders.Alerts(file.Stem), idField);
        file.Results.WriteRejections(folders.Errors(file.Stem));
        log.LogWarning("{File} was removed from processing/{Worker} while it was being read, after {Rows} rows were scored; they are written, the reason is in deadletter/",
            file.Name, workerId, Rows(file));
        metrics?.InboxFileIncomplete("removed");
    }

    /// <summary>
    /// Another worker took the file over (this worker's lease lapsed): it goes on from the last checkpoint and writes the
    /// results, so nothing is lost and no dead letter is written; this worker's work since that checkpoint is dropped.
    /// </summary>
    public void TakenOver(OpenInboxFile file, string where)
    {
        log.LogWarning("{File} was taken over ({Where}) after this worker's lease lapsed; its new owner goes on from the last checkpoint and writes the results, the {Rows} rows this worker scored since then are scored again",
            file.Name, where, file.RecordsSinceCheckpoint);
        metrics?.InboxFileIncomplete("taken_over");
    }

    private static int Rows(OpenInboxFile file) => file.Results.Records;

    /// <summary>
    /// Rows were appended to a file after it was finished (its writer paused longer than the quiet time): they were
    /// handed on as the inbox file <paramref name="handedOn"/>, so they are scored too, in results of their own.
    /// </summary>
    public void AppendedAfterFinish(string file, long bytes, string handedOn)
    {
        log.LogWarning("done/{File} grew by {Bytes} bytes after it was finished (its writer paused longer than Inbox:QuietTime); the rows appended are handed on as inbox/{Late} and scored there",
            file, bytes, handedOn);
        metrics?.InboxFileIncomplete("appended_after_finish");
    }
}
