using AnomalyAE.DataViews;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace AnomalyAE.Tests.Series;

/// <summary>
/// The online scorer: interleaved series fed in pieces of any size score as the batch Transform scores them (LastWindow),
/// and each per-step decision (warm-up, out of order, repeat, conflicting duplicate, gap, a forgotten series) does what it documents.
/// </summary>
public sealed class OnlineSequenceScorerTests : IClassFixture<OnlineSequenceScorerTests.Model>
{
    private const int Channels = 3, Window = 12;
    private readonly Model _fixture;

    public OnlineSequenceScorerTests(Model fixture) => _fixture = fixture;

    /// <summary>One model trained for all tests of the class: series and order columns, contributions, a normalizer before it.</summary>
    public sealed class Model : IDisposable
    {
        public MLContext Ml { get; } = new(seed: 1);
        public ITransformer Pipeline { get; }
        public DataViewSchema InputSchema { get; }

        public Model()
        {
            var options = new SequenceAutoencoderOptions
            {
                WindowSize = Window, Epochs = 4, BatchSize = 32, Seed = 5, NumberOfThreads = 1, HiddenLayers = [16], LatentDimension = 4,
                SeriesColumnName = "Series", OrderColumnName = "Time", FeatureContributionsColumnName = "Contributions", LatentFeaturesColumnName = "Latent",
                ReconstructionColumnName = "Reconstruction",
            };
            var train = Steps([.. Enumerable.Range(0, 3).Select(s => (s, SeriesData.Waves(300, Channels, seed: s + 1).Rows))]);
            Pipeline = Ml.Transforms.NormalizeMeanVariance("Features").Append(Ml.Autoencoders().SequenceAutoencoder(options)).Fit(train);
            InputSchema = train.Schema;
        }

        public void Dispose() => (Pipeline as IDisposable)?.Dispose();
    }

    /// <summary>Steps of several series interleaved in time (step t of each, then t + 1), each with its series and time.</summary>
    private static IDataView Steps(IReadOnlyList<(int Series, float[][] Rows)> series) =>
        View([.. series.SelectMany(s => s.Rows.Select((values, t) => (Values: values, Series: $"s{s.Series}", Time: (float)t))).OrderBy(r => r.Time).ThenBy(r => r.Series)]);

    private static IDataView View(IReadOnlyList<(float[] Values, string Series, float Time)> rows) => new ColumnarDataView.Builder()
        .AddVector("Features", Channels, [.. rows.Select(r => r.Values)])
        .AddText("Series", [.. rows.Select(r => r.Series)])
        .AddSingle("Time", [.. rows.Select(r => r.Time)])
        .Build();

    private static List<(float[] Values, string Series, float Time)> Rows(IDataView view)
    {
        var values = view.GetColumn<float[]>("Features").ToArray();
        var series = view.GetColumn<ReadOnlyMemory<char>>("Series").Select(s => s.ToString()).ToArray();
        var time = view.GetColumn<float>("Time").ToArray();
        return [.. values.Select((v, i) => (v, series[i], time[i]))];
    }

    private OnlineSequenceScorer Scorer(OnlineSequenceScorerOptions? options = null, TimeProvider? time = null) =>
        new(_fixture.Pipeline, _fixture.InputSchema, options, time);

    [Fact]
    public void AScorerRebuiltFromTheLastHistoryDepthStepsOfASeriesScoresOnAsTheBatchTransform()
    {
        // What the worker does after a restart or a reclaim: a fresh scorer, fed the series' last HistoryDepth steps before
        // the next record, scores on as if it had seen the whole series; the score baseline is what needs the depth.
        var options = new SequenceAutoencoderOptions
        {
            WindowSize = Window, Epochs = 4, BatchSize = 32, Seed = 5, NumberOfThreads = 1, HiddenLayers = [16], LatentDimension = 4,
            SeriesColumnName = "Series", OrderColumnName = "Time", ScoreBaselineSteps = 100, ScoreSmoothingSteps = 5,
        };
        var train = Steps([(0, SeriesData.Waves(300, Channels, seed: 1).Rows)]);
        using var model = _fixture.Ml.Autoencoders().SequenceAutoencoder(options).Fit(train);
        Assert.Equal(Window - 1 + 5 - 1 + 100, model.HistoryDepth);
        var rows = Rows(Steps([(0, SeriesData.Waves(600, Channels, seed: 7, [(420, 12, false)]).Rows)]));
        var expected = TestOptions.Column<float>(model.Transform(View(rows)), "Score");

        float[] ResumedAt(int resumeAt, int depth)
        {
            var scorer = new OnlineSequenceScorer(model, train.Schema);
            scorer.Score(View(rows[(resumeAt - depth)..resumeAt]));
            var results = scorer.Score(View(rows[resumeAt..]));
            return [.. Enumerable.Range(0, rows.Count - resumeAt).Select(results.Score)];
        }
        foreach (int resumeAt in new[] { 300, 415, 599 })
        {
            var resumed = ResumedAt(resumeAt, model.HistoryDepth);
            for (int i = 0; i < resumed.Length; i++) Assert.Equal(expected[resumeAt + i], resumed[i], 1e-5f * Math.Max(1, Math.Abs(expected[resumeAt + i])));
        }
        // The planted steps stand out of what the scorer rebuilt, and a rebuild from half as many steps scores otherwise.
        Assert.True(expected[425..445].Max() > model.Threshold, $"largest planted score {expected[425..445].Max()}, threshold {model.Threshold}");
        var shallow = ResumedAt(300, model.HistoryDepth / 2);
        Assert.Contains(Enumerable.Range(0, shallow.Length), i => Math.Abs(shallow[i] - expected[300 + i]) > 1e-3 * Math.Max(1, Math.Abs(expected[300 + i])));
    }

    [Fact]
    public void InterleavedSeriesFedInPiecesOfAnySizeScoreAsTheBatchTransform()
    {
        var rows = Rows(Steps([(0, SeriesData.Waves(120, Channels, seed: 7, [(60, 12, false)]).Rows), (1, SeriesData.Waves(90, Channels, seed: 8).Rows),
            (2, SeriesData.Waves(40, Channels, seed: 9, [(20, 10, true)]).Rows)]));
        var batch = _fixture.Pipeline.Transform(View(rows));
        var scores = TestOptions.Column<float>(batch, "Score");
        var probabilities = TestOptions.Column<float>(batch, "Probability");
        var labels = batch.GetColumn<bool>("PredictedLabel").ToArray();
        var contributions = batch.GetColumn<float[]>("Contributions").ToArray();
        var latent = batch.GetColumn<float[]>("Latent").ToArray();
        var reconstruction = batch.GetColumn<float[]>("Reconstruction").ToArray();

        var scorer = Scorer();
        var random = new Random(3);
        int scored = 0;
        for (int start = 0; start < rows.Count;)
        {
            int size = Math.Min(rows.Count - start, random.Next(1, 40));
            var results = scorer.Score(View(rows.GetRange(start, size)));
            for (int i = 0; i < size; i++)
            {
                int row = start + i;
                Assert.Equal(rows[row].Series, results.Series(i));
                if (float.IsNaN(scores[row]))
                {
                    Assert.Equal(SequenceStepStatus.WarmingUp, results.Status(i));
                    Assert.True(float.IsNaN(results.Score(i)) && float.IsNaN(results.Probability(i)) && !results.PredictedLabel(i));
                    Assert.All(results.FeatureContributions(i).ToArray(), v => Assert.True(float.IsNaN(v)));
                    continue;
                }
                scored++;
                Assert.Equal(SequenceStepStatus.Scored, results.Status(i));
                Close(scores[row], results.Score(i));
                Close(probabilities[row], results.Probability(i));
                Assert.Equal(labels[row], results.PredictedLabel(i));
                for (int c = 0; c < Channels; c++) Close(contributions[row][c], results.FeatureContributions(i)[c]);
                for (int c = 0; c < Channels; c++) Close(reconstruction[row][c], results.Reconstruction(i)[c]);
                for (int l = 0; l < latent[row].Length; l++) Close(latent[row][l], results.LatentFeatures(i)[l]);
            }
            start += size;
        }
        Assert.Equal(120 + 90 + 40 - 3 * (Window - 1), scored);
        Assert.Equal(3, scorer.SeriesCount);
        Assert.Contains(labels, l => l); // the planted segments: something to alert on
    }

    [Fact]
    public void AStepBeforeItsSeriesLastIsRejectedARepeatGetsTheSameResultsAndAConflictIsRejected()
    {
        var rows = Rows(Steps([(0, SeriesData.Waves(30, Channels, seed: 7).Rows)]));
        var scorer = Scorer();
        var first = scorer.Score(View(rows.GetRange(0, 20)));
        Assert.Equal(SequenceStepStatus.Scored, first.Status(19));

        var late = rows[10];
        var repeat = rows[19];
        var conflict = (Values: rows[19].Values.Select(v => v + 1).ToArray(), rows[19].Series, rows[19].Time);
        var next = scorer.Score(View([late, repeat, conflict, rows[20], rows[20]]));
        Assert.Equal(SequenceStepStatus.Rejected, next.Status(0));
        Assert.Contains("Order column 'Time' is 10 in series 's0', before its last step (19)", next.Problem(0));
        Assert.Equal(SequenceStepStatus.Repeated, next.Status(1));
        Assert.Equal(first.Score(19), next.Score(1));
        Assert.Equal(first.FeatureContributions(19).ToArray(), next.FeatureContributions(1).ToArray());
        Assert.Equal(SequenceStepStatus.Rejected, next.Status(2));
        Assert.Contains("again, with other values", next.Problem(2));
        Assert.Equal(SequenceStepStatus.Scored, next.Status(3));
        Assert.Equal(SequenceStepStatus.Repeated, next.Status(4)); // a repeat of a step scored in the same call
        Assert.Equal(next.Score(3), next.Score(4));

        // None of these moved the window: the series goes on scoring as the batch Transform scores it.
        var rest = scorer.Score(View(rows.GetRange(21, 9)));
        var batch = TestOptions.Column<float>(_fixture.Pipeline.Transform(View(rows)), "Score");
        Close(batch[20], next.Score(3));
        for (int i = 0; i < 9; i++) Close(batch[21 + i], rest.Score(i));
    }

    [Fact]
    public void AGapLongerThanMaxGapStartsTheWindowAgain()
    {
        var rows = Rows(Steps([(0, SeriesData.Waves(40, Channels, seed: 7).Rows)]));
        for (int t = 20; t < rows.Count; t++) rows[t] = rows[t] with { Time = rows[t].Time + 5 }; // 6 between steps 19 and 20
        var strict = Scorer(new OnlineSequenceScorerOptions { MaxGap = 5 }).Score(View(rows));
        var loose = Scorer(new OnlineSequenceScorerOptions { MaxGap = 6 }).Score(View(rows));
        Assert.Equal(SequenceStepStatus.Scored, strict.Status(19));
        Assert.All(Enumerable.Range(20, Window - 1), t => Assert.Equal(SequenceStepStatus.WarmingUp, strict.Status(t)));
        Assert.Equal(SequenceStepStatus.Scored, strict.Status(20 + Window - 1));
        Assert.All(Enumerable.Range(Window - 1, rows.Count - Window + 1), t => Assert.Equal(SequenceStepStatus.Scored, loose.Status(t)));
    }

    [Fact]
    public void SeriesBeyondMaxSeriesOrIdleTooLongAreForgottenAndWarmUpAgain()
    {
        var rows = Rows(Steps([(0, SeriesData.Waves(20, Channels, seed: 7).Rows), (1, SeriesData.Waves(20, Channels, seed: 8).Rows), (2, SeriesData.Waves(20, Channels, seed: 9).Rows)]));
        var s0 = rows.Where(r => r.Series == "s0").ToList();
        var s1 = rows.Where(r => r.Series == "s1").ToList();
        var s2 = rows.Where(r => r.Series == "s2").ToList();

        var bounded = Scorer(new OnlineSequenceScorerOptions { MaxSeries = 2 });
        bounded.Score(View(s0.Take(15).ToList()));
        bounded.Score(View(s1.Take(15).ToList()));
        bounded.Score(View(s2.Take(15).ToList())); // pushes out s0, the least recently seen
        Assert.Equal(2, bounded.SeriesCount);
        Assert.False(bounded.Holds("s0"));
        Assert.True(bounded.Holds("s1") && bounded.Holds("s2"));
        var again = bounded.Score(View([s2[15], s0[15]])); // s0 comes back and pushes out s1
        Assert.Equal(SequenceStepStatus.Scored, again.Status(0));
        Assert.Equal(SequenceStepStatus.WarmingUp, again.Status(1));
        Assert.Equal(0, again.StepOfSeries(1));
        Assert.False(bounded.Holds("s1"));

        var clock = new ManualClock();
        var idle = Scorer(new OnlineSequenceScorerOptions { IdleSeriesTimeout = TimeSpan.FromMinutes(5) }, clock);
        idle.Score(View(s0.Take(15).ToList()));
        clock.Advance(TimeSpan.FromMinutes(3));
        idle.Score(View(s1.Take(15).ToList()));
        clock.Advance(TimeSpan.FromMinutes(3)); // s0 idle 6 minutes, s1 3
        var after = idle.Score(View([s0[15], s1[15]]));
        Assert.Equal(SequenceStepStatus.WarmingUp, after.Status(0));
        Assert.Equal(SequenceStepStatus.Scored, after.Status(1));
        Assert.True(idle.Forget("s1"));
        Assert.False(idle.Holds("s1"));
    }

    [Fact]
    public void BadInputAndOptionsAreRefusedWithTheReason()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Scorer(new OnlineSequenceScorerOptions { MaxSeries = 0 }));
        Assert.Contains("MaxSeries", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => Scorer(new OnlineSequenceScorerOptions { MaxGap = double.NaN }));
        Assert.Throws<ArgumentOutOfRangeException>(() => Scorer(new OnlineSequenceScorerOptions { IdleSeriesTimeout = TimeSpan.Zero }));
        var unknown = Assert.Throws<ArgumentException>(() => Scorer(new OnlineSequenceScorerOptions { OutputColumnNames = ["Nope"] }));
        Assert.Contains("'Nope' is not emitted", unknown.Message);

        using var tabular = _fixture.Ml.Autoencoders().Autoencoder(new AutoencoderOptions { Epochs = 1, Seed = 1 }).Fit(SeriesData.View(SeriesData.Waves(64, Channels, seed: 1).Rows));
        var refused = Assert.Throws<ArgumentException>(() => new OnlineSequenceScorer(tabular, SeriesData.View(SeriesData.Waves(4, Channels, seed: 1).Rows).Schema));
        Assert.Contains("no sequence autoencoder stage", refused.Message);

        // A missing value: this model's policy (Error) rejects the step, naming the series, and the window does not move.
        var rows = Rows(Steps([(0, SeriesData.Waves(16, Channels, seed: 7).Rows)]));
        rows[14] = rows[14] with { Values = [float.NaN, 0, 0] };
        var results = Scorer().Score(View(rows));
        Assert.Equal(SequenceStepStatus.Rejected, results.Status(14));
        Assert.Contains("series 's0'", results.Problem(14));
        Assert.Equal(SequenceStepStatus.WarmingUp, results.Status(10));
        Assert.Equal(SequenceStepStatus.Scored, results.Status(15)); // step 15 is the 12th step of the run: 14 was never pushed
        var wrongSize = new ColumnarDataView.Builder().AddVector("Features", 2, [[1f, 2f]]).AddText("Series", ["s0"]).AddSingle("Time", [1]).Build();
        var size = Assert.Throws<ArgumentOutOfRangeException>(() => Scorer().Score(wrongSize));
        Assert.Contains("Column 'Features' is Vector<Single, 2>; the model reads Vector<Single, 3>", size.Message);
    }

    [Fact]
    public void TheServingContractAsksRecordsForTheColumnsTheSequenceStageReadsOnly()
    {
        var data = new ColumnarDataView.Builder().AddVector("Features", Channels, [[0f, 0f, 0f]]).AddText("Note", ["x"]).AddText("Series", ["s"])
            .AddSingle("Time", [0]).AddSingle("Label", [0]).Build();
        var contract = ScoringContract.For(_fixture.Pipeline, data.Schema);
        Assert.Equal(["Features", "Series", "Time"], contract.Inputs.Select(i => i.Name));
        Assert.Equal(["Features", "Note", "Series", "Time", "Label"], contract.RecordSchema.Select(c => c.Name));
    }

    private static void Close(float expected, float actual) =>
        Assert.True(Math.Abs(expected - actual) <= Math.Max(1e-6, 1e-5 * Math.Abs(expected)), $"expected {expected}, got {actual}");

    private sealed class ManualClock : TimeProvider
    {
        private long _ticks;
        public void Advance(TimeSpan by) => _ticks += by.Ticks;
        public override long GetTimestamp() => _ticks;
        public override long TimestampFrequency => TimeSpan.TicksPerSecond;
    }
}
