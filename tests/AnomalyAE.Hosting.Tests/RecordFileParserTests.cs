using System.Text;
using AnomalyAE.Hosting.Channels.Inbox;
using AnomalyAE.Hosting.Records;

namespace AnomalyAE.Hosting.Tests;

/// <summary>A file read piece by piece while it grows gives the records of the whole file read at once, whatever the cuts.</summary>
public sealed class RecordFileParserTests
{
    private const string Values = "1,2,3";

    private static readonly string Csv =
        "\uFEFFid, a,b,c\r\n"
        + $"\"q,1\",{Values}\r\n"
        + $"\"say \"\"hi\"\"\",{Values}\r\n"
        + $"\"two\r\nlines\",{Values}\r\n"
        + "\r\n"
        + $"plain,{Values}\n"
        + "ragged,1\n"
        + $"\"é\",{Values}\n"
        + $"last,{Values}";

    private static readonly string JsonLines =
        "{\"id\":\"a\",\"x\":1}\n\n{\"id\":\"é\",\"x\":2}\r\n{not json\n{\"id\":\"last\",\"x\":3}";

    [Theory]
    [InlineData("file.csv")]
    [InlineData("file.jsonl")]
    public void EveryCutGivesTheRecordsOfTheWholeFile(string name)
    {
        var bytes = Encoding.UTF8.GetBytes(name.EndsWith(".csv") ? Csv : JsonLines);
        var whole = Records(name, bytes, [bytes.Length]);
        Assert.Equal(name.EndsWith(".csv") ? 7 : 4, whole.Count);
        for (int cut = 1; cut < bytes.Length; cut++)
            Assert.Equal(whole, Records(name, bytes, [cut, bytes.Length]));
        for (int cut = 1; cut + 7 < bytes.Length; cut++)
            Assert.Equal(whole, Records(name, bytes, [cut, cut + 3, cut + 7, bytes.Length]));
    }

    [Fact]
    public void ALastLineWithoutLineBreakAndAnOpenQuotedCellWaitForTheirEnd()
    {
        var parser = RecordFileParser.For("file.csv", "id");
        var bytes = Encoding.UTF8.GetBytes($"id,a,b,c\nr1,{Values}\n\"open\n");
        var piece = parser.Parse(bytes, 0, 0, final: false);
        Assert.Equal(1, piece.Records.Count);
        Assert.Equal(Encoding.UTF8.GetByteCount($"id,a,b,c\nr1,{Values}\n"), piece.Bytes);
        Assert.Equal(Encoding.UTF8.GetByteCount("id,a,b,c\n"), parser.HeaderEnd);

        var rest = parser.Parse(bytes.AsSpan(piece.Bytes), piece.Bytes, piece.Lines, final: true); // the file is quiet: read as it is
        Assert.Equal("line 3 has a quoted cell that is not closed", rest.Records.Slice(0, 1).Problem(0));
    }

    /// <summary>
    /// Parses <paramref name="bytes"/> as a writer makes them appear, <paramref name="lengths"/>[i] bytes at step i (the
    /// last step final), going on from where the previous piece ended; each record as id, line and problem.
    /// </summary>
    private static List<(string Id, int Line, string? Problem)> Records(string name, byte[] bytes, int[] lengths)
    {
        var parser = RecordFileParser.For(name, "id");
        var records = new List<(string, int, string?)>();
        long offset = 0;
        int lines = 0;
        for (int step = 0; step < lengths.Length; step++)
        {
            var piece = parser.Parse(bytes.AsSpan((int)offset, lengths[step] - (int)offset), offset, lines, final: step == lengths.Length - 1);
            var batch = piece.Records.Slice(0, piece.Records.Count);
            for (int r = 0; r < batch.Count; r++) records.Add((batch.Id(r), piece.Records.Line(r), batch.Problem(r)));
            offset += piece.Bytes;
            lines += piece.Lines;
        }
        Assert.Equal(bytes.Length, offset);
        return records;
    }
}
