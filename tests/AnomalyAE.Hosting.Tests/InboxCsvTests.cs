using System.Text;
using AnomalyAE.Hosting.Channels.Inbox;
using AnomalyAE.Hosting.Records;
using Microsoft.Extensions.Logging.Abstractions;

namespace AnomalyAE.Hosting.Tests;

/// <summary>The inbox reads CSV with Sep, in the CLI's dialect: quoted cells, CRLF, a BOM.</summary>
public sealed class InboxCsvTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("anomalyae-inbox-csv-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string Folder(string name) => Path.Combine(_root, name);

    [Fact]
    public async Task QuotedCommasQuotesAndLineBreaksCrlfAndABomAreRead()
    {
        string values = string.Join(',', Enumerable.Range(0, TestModels.Features).Select(i => $"0.{i}"));
        string text = "id, x0,x1,x2,x3,x4,x5,x6,x7\r\n"
            + $"\"q,1\",{values}\r\n"
            + $"\"say \"\"hi\"\"\",{values}\r\n"
            + $"\"two\r\nlines\",{values}\r\n"
            + "\r\n"
            + $"plain,{values}\r\n"
            + "ragged,1,2\r\n"
            + $"\"open,{values}\r\n";
        Directory.CreateDirectory(Folder("inbox"));
        File.WriteAllBytes(Path.Combine(Folder("inbox"), "quoted.csv"), [.. Encoding.UTF8.GetPreamble(), .. Encoding.UTF8.GetBytes(text)]);

        await using var channel = new InboxChannel(new InboxOptions { Directory = _root, SettleTime = TimeSpan.Zero, QuietTime = TimeSpan.Zero }, "id", NullLogger.Instance);
        var records = await channel.ReadAsync(100, CancellationToken.None);

        Assert.Equal(["q,1", "say \"hi\"", "two\r\nlines", "plain", "line-8", "line-9"], records.Ids());
        Assert.All(Enumerable.Range(0, 4), r => Assert.Null(records.Problem(r)));
        Assert.Equal("0.0", records.Field(0, "x0")); // the header cell ' x0' is trimmed, the BOM is not part of 'id'
        Assert.Equal("0.7", records.Field(3, "x7"));
        Assert.Equal("line 8 has 3 cells; the header has 9", records.Problem(4));
        Assert.Equal("line 9 has a quoted cell that is not closed", records.Problem(5));

        await channel.CommitAsync(records.Uniform(0.25f, anomalous: true), CancellationToken.None);
        var scores = File.ReadAllText(Path.Combine(Folder("out"), "quoted.scores.csv"));
        Assert.StartsWith("id,Score,PredictedLabel\n", scores); // the model's column names
        // Line numbers count the two-line cell and the empty line.
        Assert.Equal(["line,id,reason", "8,line-8,line 8 has 3 cells; the header has 9", "9,line-9,line 9 has a quoted cell that is not closed"],
            File.ReadAllLines(Path.Combine(Folder("deadletter"), "quoted.errors.csv")));
        Assert.Contains("\"q,1\",0.25,true", scores);
        Assert.Contains("\"say \"\"hi\"\"\",0.25,true", scores);
        Assert.Contains("\"two\r\nlines\",0.25,true\nplain,0.25,true\n", scores);
    }
}
