using System.Text;
using AnomalyAE.Hosting.Channels;
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

        await using var channel = new InboxChannel(new InboxOptions { Directory = _root, SettleTime = TimeSpan.Zero }, "id", NullLogger.Instance);
        var records = await channel.ReadAsync(100, CancellationToken.None);

        Assert.Equal(["q,1", "say \"hi\"", "two\r\nlines", "plain", "line-8", "line-9"], records.Select(r => r.Id));
        Assert.All(records.Take(4), r => Assert.Null(r.Problem));
        Assert.Equal("0.0", records[0].Fields["x0"]); // the header cell ' x0' is trimmed, the BOM is not part of 'id'
        Assert.Equal("0.7", records[3].Fields["x7"]);
        Assert.Equal("7", records[3].Receipt); // the line the row starts on, after a two-line cell and an empty line
        Assert.Equal("line 8 has 3 cells; the header has 9", records[4].Problem);
        Assert.Equal("line 9 has a quoted cell that is not closed", records[5].Problem);

        await channel.CommitAsync([.. records.Select(r => new RecordOutcome(r, 0.25f, false, r.Problem))], CancellationToken.None);
        var scores = File.ReadAllText(Path.Combine(Folder("out"), "quoted.scores.csv"));
        Assert.Contains("\"q,1\",0.25,false", scores);
        Assert.Contains("\"say \"\"hi\"\"\",0.25,false", scores);
    }
}
