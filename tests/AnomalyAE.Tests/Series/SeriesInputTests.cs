using AnomalyAE.DataViews;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace AnomalyAE.Tests.Series;

/// <summary>Series and order columns, missing values and bad input of the sequence autoencoder.</summary>
public sealed class SeriesInputTests
{
    private const int Channels = 3, Window = 16;
    private readonly MLContext _ml = new(seed: 1);

    private static SequenceAutoencoderOptions Options(Action<SequenceAutoencoderOptions>? configure = null)
    {
        var options = new SequenceAutoencoderOptions { WindowSize = Window, Epochs = 5, BatchSize = 32, Seed = 5, NumberOfThreads = 1, HiddenLayers = [16], LatentDimension = 4 };
        configure?.Invoke(options);
        return options;
    }

    /// <summary>Rows of several series, each row with its series name and its time.</summary>
    private static IDataView Interleaved(IReadOnlyList<float[][]> series, bool shuffle = false, int seed = 0)
    {
        var rows = series.SelectMany((s, i) => s.Select((values, t) => (Values: values, Series: $"s{i}", Time: (float)t))).ToList();
        // Interleaved in time: step t of every series, then step t + 1.
        rows = [.. rows.OrderBy(r => r.Time).ThenBy(r => r.Series)];
        if (shuffle) new Random(seed).Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(rows));
        return new ColumnarDataView.Builder()
            .AddVector("Features", Channels, [.. rows.Select(r => r.Values)])
            .AddText("Series", [.. rows.Select(r => r.Series)])
            .AddSingle("Time", [.. rows.Select(r => r.Time)])
            .Build();
    }

    [Fact]
    public void InterleavedSeriesAreWindowedApartAndScoreAsEachSeriesAlone()
    {
        var a = SeriesData.Waves(300, Channels, seed: 1).Rows;
        var b = SeriesData.Waves(200, Channels, seed: 2).Rows;
        using var model = _ml.Autoencoders().SequenceAutoencoder(Options(o => o.SeriesColumnName = "Series")).Fit(Interleaved([a, b]));
        var scored = model.Transform(Interleaved([a, b]));
        var scores = TestOptions.Column<float>(scored, "Score");
        var series = scored.GetColumn<ReadOnlyMemory<char>>("Series").Select(s => s.ToString()).ToArray();

        float[] Alone(float[][] rows) => TestOptions.Column<float>(model.Transform(Interleaved([rows])), "Score");
        Assert.Equal(Alone(a), scores.Where((_, i) => series[i] == "s0").ToArray());
        Assert.Equal(Alone(b), scores.Where((_, i) => series[i] == "s1").ToArray());
        // Each series' own first Window − 1 steps have no score, wherever they lie among the other's rows.
        Assert.Equal(2 * (Window - 1), scores.Count(float.IsNaN));
    }

    [Fact]
    public void TrainingSortsEachSeriesByTheOrderColumnAndScoringRefusesRowsOutOfOrder()
    {
        var a = SeriesData.Waves(300, Channels, seed: 1).Rows;
        var b = SeriesData.Waves(250, Channels, seed: 2).Rows;
        var options = Options(o => { o.SeriesColumnName = "Series"; o.OrderColumnName = "Time"; });
        using var sorted = _ml.Autoencoders().SequenceAutoencoder(options).Fit(Interleaved([a, b]));
        using var shuffled = _ml.Autoencoders().SequenceAutoencoder(options).Fit(Interleaved([a, b], shuffle: true, seed: 4));
        // The same windows in the same order: the same model.
        Assert.Equal(TestOptions.Column<float>(sorted.Transform(Interleaved([a, b])), "Score"), TestOptions.Column<float>(shuffled.Transform(Interleaved([a, b])), "Score"));

        var e = Assert.Throws<InvalidOperationException>(() => TestOptions.Column<float>(sorted.Transform(Interleaved([a, b], shuffle: true, seed: 4)), "Score"));
        Assert.Contains("Order column 'Time' goes back in series 's", e.Message);
        Assert.Contains("at row", e.Message);
        Assert.Contains("Sort the rows", e.Message);

        // Streamed training cannot sort: it refuses the same way, naming the fix.
        var streamed = Options(o => { o.SeriesColumnName = "Series"; o.OrderColumnName = "Time"; o.StreamTraining = true; });
        e = Assert.Throws<InvalidOperationException>(() => _ml.Autoencoders().SequenceAutoencoder(streamed).Fit(Interleaved([a, b], shuffle: true, seed: 4)));
        Assert.Contains("goes back", e.Message);
    }

    [Fact]
    public void TwoRowsOfASeriesAtTheSameTimeAreRefused()
    {
        var rows = SeriesData.Waves(100, Channels, seed: 1).Rows;
        var data = new ColumnarDataView.Builder().AddVector("Features", Channels, rows).AddSingle("Time", [.. Enumerable.Range(0, 100).Select(t => (float)Math.Min(t, 60))]).Build();
        var e = Assert.Throws<InvalidOperationException>(() => _ml.Autoencoders().SequenceAutoencoder(Options(o => o.OrderColumnName = "Time")).Fit(data));
        Assert.Contains("holds 60 twice in series (the one series) (rows 60 and 61)", e.Message);
    }

    [Fact]
    public void MissingValuesFailNamingTheSeriesAndRowOrAreCarriedForwardOrRestartTheSeries()
    {
        var rows = SeriesData.Waves(400, Channels, seed: 1).Rows;
        using var model = _ml.Autoencoders().SequenceAutoencoder(Options()).Fit(SeriesData.View(rows));
        var gappy = rows.Select(r => (float[])r.Clone()).ToArray();
        gappy[100][1] = float.NaN;

        var e = Assert.Throws<InvalidOperationException>(() => TestOptions.Column<float>(model.Transform(SeriesData.View(gappy)), "Score"));
        Assert.Contains("NaN in channel 1 at row 100 (series (the one series), its step 100)", e.Message);
        Assert.Contains("MissingValues = CarryForward", e.Message);

        var clean = TestOptions.Column<float>(model.Transform(SeriesData.View(rows)), "Score");
        using (var carry = _ml.Autoencoders().SequenceAutoencoder(Options(o => o.MissingValues = MissingValueHandling.CarryForward)).Fit(SeriesData.View(gappy)))
        {
            var carried = gappy.Select(r => (float[])r.Clone()).ToArray();
            carried[100][1] = rows[99][1];
            Assert.Equal(TestOptions.Column<float>(carry.Transform(SeriesData.View(carried)), "Score"), TestOptions.Column<float>(carry.Transform(SeriesData.View(gappy)), "Score"));
        }
        using (var restart = _ml.Autoencoders().SequenceAutoencoder(Options(o => o.MissingValues = MissingValueHandling.Restart)).Fit(SeriesData.View(gappy)))
        {
            var scores = TestOptions.Column<float>(restart.Transform(SeriesData.View(gappy)), "Score");
            // The gap and the Window − 1 steps after it start over: no score; from there on, scored again.
            Assert.All(scores[100..(100 + Window)], s => Assert.True(float.IsNaN(s)));
            Assert.True(float.IsFinite(scores[100 + Window]) && float.IsFinite(scores[99]));
        }
        Assert.Equal(Window - 1, clean.Count(float.IsNaN));
    }

    [Fact]
    public void BadInputNamesTheColumnTheTypeAndTheFix()
    {
        var rows = SeriesData.Waves(100, Channels, seed: 1).Rows;
        var e = Assert.ThrowsAny<ArgumentException>(() => _ml.Autoencoders().SequenceAutoencoder(Options(o => o.SeriesColumnName = "Host")).Fit(SeriesData.View(rows)));
        Assert.Contains("Series column 'Host' was not found in the input. Available columns: 'Features'", e.Message);

        var text = new ColumnarDataView.Builder().AddText("Features", [.. rows.Select(_ => "x")]).Build();
        e = Assert.ThrowsAny<ArgumentException>(() => _ml.Autoencoders().SequenceAutoencoder(Options()).Fit(text));
        Assert.Contains("Feature column 'Features' must be Single (one channel) or a known-size vector of Single", e.Message);

        var short_ = Assert.Throws<InvalidOperationException>(() => _ml.Autoencoders().SequenceAutoencoder(Options(o => o.WindowSize = 200)).Fit(SeriesData.View(rows)));
        Assert.Contains("No series has 200 steps in a row to make a training window: the longest run is 100 steps", short_.Message);

        var window = Assert.ThrowsAny<ArgumentException>(() => _ml.Autoencoders().SequenceAutoencoder(Options(o => o.WindowSize = 1)));
        Assert.Contains("WindowSize must be in [2, 4096]; got 1", window.Message);
        var baseline = Assert.ThrowsAny<ArgumentException>(() => _ml.Autoencoders().SequenceAutoencoder(Options(o => o.ScoreBaselineSteps = 50)));
        Assert.Contains("ScoreBaselineSteps must be 0 (no baseline: the score is the raw reconstruction error) or in [100, 1000000]; got 50", baseline.Message);
        var smoothing = Assert.ThrowsAny<ArgumentException>(() => _ml.Autoencoders().SequenceAutoencoder(Options(o => o.ScoreSmoothingSteps = 0)));
        Assert.Contains("ScoreSmoothingSteps must be in [1, 10000]; got 0", smoothing.Message);
        var recurrent = Assert.ThrowsAny<ArgumentException>(() => _ml.Autoencoders().SequenceAutoencoder(Options(o => { o.Architecture = SequenceArchitecture.Recurrent; o.HiddenLayers = [16, 8]; })));
        Assert.Contains("one state width", recurrent.Message);

        using var model = _ml.Autoencoders().SequenceAutoencoder(Options()).Fit(SeriesData.View(rows));
        var wider = SeriesData.View([.. rows.Select(r => (float[])[.. r, 0f])]);
        e = Assert.ThrowsAny<ArgumentException>(() => model.Transform(wider));
        Assert.Contains("hold 4 values per row, but the model was trained on 3", e.Message);
        var mapper = Assert.Throws<NotSupportedException>(() => model.GetRowToRowMapper(SeriesData.View(rows).Schema));
        Assert.Contains("WindowModel", mapper.Message);
    }

    [Fact]
    public void SingleColumnsMakeTheChannelsAndNameTheContributions()
    {
        var rows = SeriesData.Waves(300, Channels, seed: 1).Rows;
        var builder = new ColumnarDataView.Builder();
        string[] names = ["cpu", "memory", "latency"];
        for (int c = 0; c < Channels; c++) builder.AddSingle(names[c], [.. rows.Select(r => r[c])]);
        var data = builder.Build();
        using var model = _ml.Autoencoders().SequenceAutoencoder(Options(o => { o.ChannelColumnNames = names; o.FeatureContributionsColumnName = "Contributions"; })).Fit(data);
        var scored = model.Transform(data);
        var contributions = scored.Schema["Contributions"];
        VBuffer<ReadOnlyMemory<char>> slots = default;
        contributions.GetSlotNames(ref slots);
        Assert.Equal(names, slots.DenseValues().Select(s => s.ToString()));
        var shares = TestOptions.Vectors(scored, "Contributions");
        Assert.All(shares[(Window - 1)..], s => Assert.Equal(1, s.Sum(), 3));
        // The same channels as one vector column give the same scores.
        using var vector = _ml.Autoencoders().SequenceAutoencoder(Options()).Fit(SeriesData.View(rows));
        Assert.Equal(TestOptions.Column<float>(vector.Transform(SeriesData.View(rows)), "Score"), TestOptions.Column<float>(scored, "Score"));
    }
}
