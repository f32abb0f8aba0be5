using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using Microsoft.ML;
using Step = AnomalyAE.AspNetCore.Tests.SequenceModels.Step;

namespace AnomalyAE.AspNetCore.Tests;

/// <summary>
/// A sequence model through HTTP: interleaved series sent step by step score as the batch Transform (LastWindow) scores
/// them, a retry is repeated and a late step rejected, a reloaded model warms every series up again, the windows route
/// scores as the online step a window ends at without touching any series, and the series options are checked and applied.
/// </summary>
public sealed class SeriesServingTests(SequenceModels models) : IClassFixture<SequenceModels>
{
    private const int WarmUp = SequenceModels.Window - 1;

    [Fact]
    public async Task InterleavedStepsSentOneByOneAndInSmallBatchesScoreAsTheBatchTransform()
    {
        var steps = SequenceModels.Steps([60, 45, 30], seed: 7);
        var batch = SequenceModels.Batch(models.First, steps);
        await using var app = await ScoringApp.StartAsync(models.First);
        var answers = await Send(app, steps, new Random(3), largest: 5);

        int scored = 0;
        for (int i = 0; i < steps.Length; i++)
        {
            var answer = answers[i];
            Assert.Equal([.. SequenceModels.Outputs, "Status"], answer.AsObject().Select(p => p.Key));
            if (float.IsNaN((float)batch["Score"][i]))
            {
                Assert.Equal("WarmingUp", answer["Status"]!.GetValue<string>());
                Assert.Null(answer["Score"]);
                Assert.Null(answer["Probability"]);
                Assert.Null(answer["Latent"]);
                Assert.Null(answer["Contributions"]);
                Assert.False(answer["PredictedLabel"]!.GetValue<bool>());
                continue;
            }
            scored++;
            Assert.Equal("Scored", answer["Status"]!.GetValue<string>());
            AssertLikeBatch(batch, i, answer);
        }
        Assert.Equal(60 + 45 + 30 - 3 * WarmUp, scored);
    }

    [Fact]
    public async Task ARetryGetsTheSameAnswerWithoutMovingTheWindowAndALateOrConflictingStepIsRejected()
    {
        var steps = SequenceModels.Steps([30], seed: 8);
        var batch = SequenceModels.Batch(models.First, steps);
        await using var app = await ScoringApp.StartAsync(models.First);
        var answers = await Send(app, steps[..20], new Random(4), largest: 1);
        Assert.Equal("Scored", answers[19]["Status"]!.GetValue<string>());

        var (status, retry) = await app.PostAsync(SequenceModels.Json(steps[19]));
        Assert.Equal(200, status);
        Assert.Equal("Repeated", retry!["Status"]!.GetValue<string>());
        Assert.Equal(answers[19].Number("Score"), retry.Number("Score"));
        Assert.Equal(answers[19].Numbers("Contributions"), retry.Numbers("Contributions"));

        var (_, late) = await app.PostAsync(SequenceModels.Json(steps[10]));
        Assert.Equal("Rejected", late!["Status"]!.GetValue<string>());
        Assert.Contains("Order column 'time' is 10 in series 'h0', before its last step (19)", late["Problem"]!.GetValue<string>());
        Assert.Null(late["Score"]);

        var conflict = steps[19] with { Values = [.. steps[19].Values.Select(v => v + 1)] };
        var (_, conflicting) = await app.PostAsync(SequenceModels.Json(conflict));
        Assert.Equal("Rejected", conflicting!["Status"]!.GetValue<string>());
        Assert.Contains("again, with other values", conflicting["Problem"]!.GetValue<string>());

        // One request: the next step, its retry, a late step and the step after; 200, each row with its own status.
        var (batchStatus, mixed) = await app.PostAsync(new[] { steps[20], steps[20], steps[15], steps[21] }.Select(SequenceModels.Json));
        Assert.Equal(200, batchStatus);
        var rows = mixed!.AsArray().Select(r => r!).ToArray();
        Assert.Equal(["Scored", "Repeated", "Rejected", "Scored"], rows.Select(r => r["Status"]!.GetValue<string>()));
        Assert.Equal([false, false, true, false], rows.Select(r => r.AsObject().ContainsKey("Problem")));
        AssertLikeBatch(batch, 20, rows[0]);
        Assert.Equal(rows[0].Number("Score"), rows[1].Number("Score"));
        AssertLikeBatch(batch, 21, rows[3]);
    }

    [Fact]
    public async Task AReloadedModelWarmsEverySeriesUpAgainAndThenScoresAsTheNewModel()
    {
        string served = models.Copy(models.First);
        var steps = SequenceModels.Steps([40], seed: 9);
        var first = SequenceModels.Batch(models.First, steps);
        // The new model sees the series from the swap on: its windows start empty.
        var second = SequenceModels.Batch(models.Second, steps[15..]);
        await using var app = await ScoringApp.StartAsync(served, o => o.ModelReloadInterval = TimeSpan.FromHours(1));
        var before = await Send(app, steps[..15], new Random(5), largest: 3);
        AssertLikeBatch(first, 14, before[14]);

        ModelFiles.Replace(served, models.Second);
        Assert.True(app.Scorer.ReloadIfChanged());
        var after = await Send(app, steps[15..], new Random(6), largest: 3);
        Assert.All(after[..WarmUp], a => Assert.Equal("WarmingUp", a["Status"]!.GetValue<string>()));
        for (int i = WarmUp; i < after.Length; i++)
        {
            Assert.Equal("Scored", after[i]["Status"]!.GetValue<string>());
            AssertLikeBatch(second, i, after[i]);
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task AWindowScoresAsTheOnlineStepItEndsAtAndTouchesNoSeries(bool underAScoreBaseline)
    {
        // A window alone has no history: under a score baseline (First) its score is the window's reconstruction error, which
        // the online step's score is relative to; its code and reconstruction are the online step's all the same.
        string path = underAScoreBaseline ? models.First : models.Second;
        var steps = SequenceModels.Steps([40, 30], seed: 10);
        await using var app = await ScoringApp.StartAsync(path);
        var ends = new[] { ("h0", 11), ("h0", 25), ("h0", 39), ("h1", 11), ("h1", 29) };
        var windows = ends.Select(e => new Dictionary<string, object>
        {
            ["id"] = $"{e.Item1}@{e.Item2}",
            ["Window"] = steps.Where(s => s.Host == e.Item1 && s.Time > e.Item2 - SequenceModels.Window && s.Time <= e.Item2).SelectMany(s => s.Values).ToArray(),
        }).ToArray();
        var (status, body) = await app.PostAsync(windows, "/score/windows");
        Assert.Equal(200, status);
        var scoredWindows = body!.AsArray().Select(w => w!).ToArray();
        var (oneStatus, one) = await app.PostAsync(windows[2], "/score/windows");
        Assert.Equal(200, oneStatus);
        using (var lease = app.Scorer.Acquire()) Assert.Equal(0, lease.Model.Steps!.Scorer.SeriesCount);

        var online = await Send(app, steps, new Random(7), largest: 4);
        for (int w = 0; w < ends.Length; w++)
        {
            var step = online[Array.FindIndex(steps, s => s.Host == ends[w].Item1 && s.Time == ends[w].Item2)];
            var window = scoredWindows[w];
            Assert.Equal("Scored", step["Status"]!.GetValue<string>());
            Assert.Null(window["Status"]);
            if (!underAScoreBaseline)
            {
                Close(step.Number("Score"), window.Number("Score"));
                Close(step.Number("Probability"), window.Number("Probability"));
                Assert.Equal(step["PredictedLabel"]!.GetValue<bool>(), window["PredictedLabel"]!.GetValue<bool>());
            }
            else Assert.True(window.Number("Score") > 0 && Math.Abs(window.Number("Score") - step.Number("Score")) > 1e-3, "the raw window score is not the relative step score");
            AllClose(step.Numbers("Latent"), window.Numbers("Latent"));
            // The window's reconstruction covers all its steps; the online step's is the last one's.
            var reconstruction = window.Numbers("Reconstruction");
            Assert.Equal(SequenceModels.Window * SequenceModels.Channels.Length, reconstruction.Length);
            AllClose(step.Numbers("Reconstruction"), reconstruction[^SequenceModels.Channels.Length..]);
        }
        Close(scoredWindows[2].Number("Score"), one!.Number("Score"));
    }

    [Fact]
    public async Task AWindowOfTheWrongSizeGets400NamingBothSizes()
    {
        await using var app = await ScoringApp.StartAsync(models.First);
        var (status, problem) = await app.PostAsync(new Dictionary<string, object> { ["Window"] = new float[35] }, "/score/windows");
        Assert.Equal(400, status);
        Assert.Equal("Window", problem!["field"]!.GetValue<string>());
        Assert.Equal("an array of 36 numbers (Vector<Single, 36>)", problem["expected"]!.GetValue<string>());
        Assert.Equal("an array of 35 values", problem["actual"]!.GetValue<string>());
        Assert.Contains("Row 0, field 'Window': expected an array of 36 numbers", problem["detail"]!.GetValue<string>());

        // A step row at the windows route: no Window field.
        (status, problem) = await app.PostAsync(SequenceModels.Json(SequenceModels.Steps([1], seed: 1)[0]), "/score/windows");
        Assert.Equal(400, status);
        Assert.Equal("no such field", problem!["actual"]!.GetValue<string>());
    }

    public static TheoryData<string, string> BadSeriesOptions => new()
    {
        { "MaxSeries=0", "AnomalyScorerOptions.MaxSeries is 0; it must be between 1 and 100000000" },
        { "MaxSeries=100000001", "AnomalyScorerOptions.MaxSeries is 100000001; it must be between 1 and 100000000" },
        { "IdleSeriesTimeout=-1", "AnomalyScorerOptions.IdleSeriesTimeout is -00:00:01; it must be positive" },
        { "MaxGap=0", "AnomalyScorerOptions.MaxGap is 0; it must be a positive finite number" },
        { "MaxGap=NaN", "AnomalyScorerOptions.MaxGap is NaN; it must be a positive finite number" },
    };

    [Theory]
    [MemberData(nameof(BadSeriesOptions))]
    public async Task BadSeriesOptionsStopTheStartUpNamingTheOption(string setting, string message)
    {
        var e = await Assert.ThrowsAsync<OptionsValidationException>(() => ScoringApp.StartAsync(models.First, o => Apply(o, setting)));
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void TheValidatorsMaxSeriesBoundIsTheScorers()
    {
        var ml = new MLContext(seed: 1);
        var model = ml.Autoencoders().Load(models.First, out var schema);
        using var release = model as IDisposable;
        _ = new OnlineSequenceScorer(model, schema, new OnlineSequenceScorerOptions { MaxSeries = 100_000_000 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new OnlineSequenceScorer(model, schema, new OnlineSequenceScorerOptions { MaxSeries = 100_000_001 }));
        Assert.True(new AnomalyScorerOptionsValidator().Validate(null, new AnomalyScorerOptions { ModelPath = "m.aeml", MaxSeries = 100_000_000 }).Succeeded);
    }

    [Fact]
    public async Task MaxSeriesAndMaxGapReachTheSeriesWindows()
    {
        // Three hosts in turn and room for two: each step's series was the least recently seen, forgotten for the third.
        var steps = SequenceModels.Steps([20, 20, 20], seed: 11);
        await using (var app = await ScoringApp.StartAsync(models.First, o => o.MaxSeries = 2))
        {
            var answers = await Send(app, steps, new Random(8), largest: 6);
            Assert.All(answers, a => Assert.Equal("WarmingUp", a["Status"]!.GetValue<string>()));
        }

        // A jump of 10 in time beyond MaxGap = 5 starts the window again.
        var series = SequenceModels.Steps([40], seed: 12).Select(s => s.Time >= 20 ? s with { Time = s.Time + 10 } : s).ToArray();
        await using (var app = await ScoringApp.StartAsync(models.First, o => o.MaxGap = 5))
        {
            var answers = (await Send(app, series, new Random(9), largest: 6)).Select(a => a["Status"]!.GetValue<string>()).ToArray();
            var expected = Enumerable.Range(0, 40).Select(t => t % 20 < WarmUp ? "WarmingUp" : "Scored");
            Assert.Equal(expected, answers);
        }
    }

    [Fact]
    public async Task AnOrderColumnAJsonRowCannotCarryStopsTheStartUpNamingIt()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(SequenceModels.Steps([60], seed: 13).Select(s => new DoubleTimeStep
        {
            host = s.Host, time = s.Time, cpu = s.Values[0], memory = s.Values[1], latency = s.Values[2],
        }));
        string path = Path.Combine(models.Folder, $"double-time-{Guid.NewGuid():N}.aeml");
        using (var model = ml.Autoencoders().SequenceAutoencoder(new SequenceAutoencoderOptions
        {
            ChannelColumnNames = SequenceModels.Channels, SeriesColumnName = "host", OrderColumnName = "time", WindowSize = SequenceModels.Window,
            Epochs = 1, HiddenLayers = [8], LatentDimension = 2, Seed = 1, NumberOfThreads = 1,
        }).Fit(data))
            ml.Autoencoders().Save(model, data.Schema, path);

        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => ScoringApp.StartAsync(path));
        Assert.Contains("Input column 'time' is Double; a record carries Single, Vector<Single, n> and Text fields", e.Message);
        Assert.Contains("convert the column in the pipeline", e.Message);
    }

    private sealed class DoubleTimeStep
    {
        public string host { get; set; } = "";
        public double time { get; set; }
        public float cpu { get; set; }
        public float memory { get; set; }
        public float latency { get; set; }
    }

    private static void Apply(AnomalyScorerOptions options, string setting)
    {
        var (name, value) = (setting.Split('=')[0], setting.Split('=')[1]);
        switch (name)
        {
            case "MaxSeries": options.MaxSeries = int.Parse(value); break;
            case "IdleSeriesTimeout": options.IdleSeriesTimeout = TimeSpan.FromSeconds(int.Parse(value)); break;
            default: options.MaxGap = double.Parse(value, System.Globalization.CultureInfo.InvariantCulture); break;
        }
    }

    /// <summary>Posts <paramref name="steps"/> in order, in requests of 1 to <paramref name="largest"/> rows (one row as an object); the answers in order.</summary>
    private static async Task<JsonNode[]> Send(ScoringApp app, IReadOnlyList<Step> steps, Random random, int largest)
    {
        var answers = new List<JsonNode>();
        for (int start = 0; start < steps.Count;)
        {
            int size = Math.Min(steps.Count - start, random.Next(1, largest + 1));
            object body = size == 1 ? SequenceModels.Json(steps[start]) : steps.Skip(start).Take(size).Select(SequenceModels.Json).ToArray();
            var (status, answer) = await app.PostAsync(body);
            Assert.Equal(200, status);
            if (size == 1) answers.Add(answer!);
            else answers.AddRange(answer!.AsArray().Select(a => a!));
            start += size;
        }
        return [.. answers];
    }

    private static void AssertLikeBatch(Dictionary<string, object[]> batch, int row, JsonNode answer)
    {
        Close((float)batch["Score"][row], answer.Number("Score"));
        Close((float)batch["Probability"][row], answer.Number("Probability"));
        Assert.Equal((bool)batch["PredictedLabel"][row], answer["PredictedLabel"]!.GetValue<bool>());
        foreach (var vector in new[] { "Latent", "Reconstruction", "Contributions" }) AllClose((float[])batch[vector][row], answer.Numbers(vector));
    }

    private static void AllClose(float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++) Close(expected[i], actual[i]);
    }

    /// <summary>Equal within 1e-5 relative or 1e-6 absolute: batches of other sizes round floats otherwise.</summary>
    private static void Close(float expected, float actual) =>
        Assert.True(Math.Abs(expected - actual) <= Math.Max(1e-6, 1e-5 * Math.Abs(expected)), $"expected {expected}, got {actual}");
}
