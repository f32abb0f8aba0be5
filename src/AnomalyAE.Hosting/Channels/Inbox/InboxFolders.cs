using System.Globalization;

namespace AnomalyAE.Hosting.Channels.Inbox;

/// <summary>
/// The inbox's folders under <see cref="InboxOptions.Directory"/> and the names in them: <c>inbox/</c> (hand-over),
/// <c>processing/</c> (claimed files: one folder per worker, released files directly in it), <c>out/</c> (results),
/// <c>done/</c> (finished inputs) and <c>deadletter/</c> (rejected rows, inputs that could not be finished). Data files
/// are CSV or JSON lines whose names do not start with '.'; names starting with '.' are a writer's part files or ours.
/// </summary>
internal sealed class InboxFolders
{
    private static readonly string[] DataExtensions = [".csv", ".jsonl", ".json"];

    /// <summary>Creates the folders under <paramref name="root"/>.</summary>
    public InboxFolders(string root)
    {
        Inbox = Folder(root, "inbox");
        Processing = Folder(root, "processing");
        Out = Folder(root, "out");
        Done = Folder(root, "done");
        DeadLetter = Folder(root, "deadletter");
        ClaimLock = Path.Combine(Path.GetFullPath(root), ".claim.lock");
    }

    public string Inbox { get; }
    public string Processing { get; }
    public string Out { get; }
    public string Done { get; }
    public string DeadLetter { get; }

    /// <summary>The file whose exclusive lock serializes claims from inbox/ across workers.</summary>
    public string ClaimLock { get; }

    public string Scores(string stem) => Path.Combine(Out, stem + ".scores.csv");
    public string Alerts(string stem) => Path.Combine(Out, stem + ".alerts.csv");
    public string Errors(string stem) => Path.Combine(DeadLetter, stem + ".errors.csv");

    /// <summary>True for a CSV or JSON-lines file whose name does not start with '.'.</summary>
    public static bool IsData(string path)
    {
        string name = Path.GetFileName(path);
        return !name.StartsWith('.') && DataExtensions.Contains(Path.GetExtension(name).ToLowerInvariant());
    }

    /// <summary>True for a CSV file (with a header), false for JSON lines.</summary>
    public static bool IsCsv(string path) => Path.GetExtension(path).Equals(".csv", StringComparison.OrdinalIgnoreCase);

    /// <summary>NAME, or NAME-2, NAME-3, …: the first not used by any output, done/ copy, dead letter or file in processing.</summary>
    public string UniqueStem(string name)
    {
        var inFlight = Directory.EnumerateFiles(Processing, "*", SearchOption.AllDirectories).Where(IsData)
            .Select(Path.GetFileNameWithoutExtension).ToHashSet(StringComparer.OrdinalIgnoreCase);
        bool Used(string stem) =>
            inFlight.Contains(stem)
            || File.Exists(Scores(stem)) || File.Exists(Alerts(stem)) || File.Exists(Errors(stem))
            || DataExtensions.Any(e => File.Exists(Path.Combine(Done, stem + e)) || File.Exists(Path.Combine(DeadLetter, stem + e)));
        if (!Used(name)) return name;
        for (int n = 2; ; n++)
        {
            string stem = $"{name}-{n.ToString(CultureInfo.InvariantCulture)}";
            if (!Used(stem)) return stem;
        }
    }

    private static string Folder(string root, string name) => Directory.CreateDirectory(Path.Combine(root, name)).FullName;
}
