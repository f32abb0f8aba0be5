using System.Text.Json.Nodes;
using AnomalyAE.Training;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace AnomalyAE.Tests;

/// <summary>
/// The Probability column: a calibrated anomaly probability fitted on the training scores (ScoreCalibration), in [0, 1],
/// ordered like the score, kept exactly by save/load, and checked as untrusted input when a model file is read.
/// (The automatic threshold's planted-2 % test is FeatureContributionsTests.AutomaticThresholdFlagsAPlantedTwoPercentContamination.)
/// </summary>
public sealed class ProbabilityTests
{
    private const int Dimensions = 20;
    private const string Probability = AutoencoderOptions.Defaults.ProbabilityColumnName;
    private readonly MLContext _ml = new(seed: 1);

    private static FeatureRow[] Rows(int seed) => SyntheticData.Manifold(1000, Dimensions, anomalyFraction: 0.02, seed: seed);

    private ITransformer Fit(string variant, IDataView data) => variant switch
    {
        "ae" => _ml.Autoencoders().Autoencoder(TestOptions.Small(epochs: 60)).Fit(data),
        "ensemble" => _ml.Autoencoders().Autoencoder(Set(TestOptions.Small(epochs: 10), o => { o.EnsembleSize = 3; o.ScoreKind = AutoencoderScoreKind.ReconstructionAndNeighborDistance; })).Fit(data),
        "vae" => _ml.Autoencoders().VariationalAutoencoder(TestOptions.Small(new VariationalAutoencoderOptions(), epochs: 10, seed: 7)).Fit(data),
        _ => throw new ArgumentOutOfRangeException(nameof(variant)),
    };

    private static T Set<T>(T options, Action<T> edit) { edit(options); return options; }

    private static void AssertOrderedLikeTheScore(float[] scores, float[] probabilities)
    {
        Assert.All(probabilities, p => Assert.InRange(p, 0f, 1f));
        var order = Enumerable.Range(0, scores.Length).OrderBy(i => scores[i]).ToArray();
        for (int k = 1; k < order.Length; k++)
        {
            int previous = order[k - 1], current = order[k];
            Assert.True(probabilities[current] >= probabilities[previous],
                $"score {scores[current]} > {scores[previous]} but probability {probabilities[current]} < {probabilities[previous]}");
            if (scores[current] == scores[previous]) Assert.Equal(probabilities[previous], probabilities[current]);
        }
    }

    [Theory]
    [InlineData("ae")]
    [InlineData("ensemble")]
    [InlineData("vae")]
    public void ProbabilitiesLieInTheUnitIntervalAndAreOrderedLikeTheScore(string variant)
    {
        var training = Rows(seed: 3);
        var fresh = Rows(seed: 4);
        var model = Fit(variant, SyntheticData.Load(_ml, training, Dimensions));
        try
        {
            foreach (var rows in new[] { training, fresh })
            {
                var scored = model.Transform(SyntheticData.Load(_ml, rows, Dimensions));
                var scores = TestOptions.Column<float>(scored, "Score");
                var probabilities = TestOptions.Column<float>(scored, Probability);
                AssertOrderedLikeTheScore(scores, probabilities);
                // Not a constant: the bulk of the normal rows near 0, the planted anomalies high.
                Assert.True(probabilities.Min() < 0.05 && probabilities.Max() > 0.95, $"{variant}: probabilities span only {probabilities.Min()} to {probabilities.Max()}");
                if (variant != "ae") continue;
                // The converged autoencoder separates the planted rows: calibrated, they get > ½ and the normal rows do not.
                var anomalies = rows.Select((r, i) => (r, i)).Where(p => p.r.Label == 1).Select(p => probabilities[p.i]).ToArray();
                var normal = rows.Select((r, i) => (r, i)).Where(p => p.r.Label == 0).Select(p => probabilities[p.i]).ToArray();
                Assert.True(anomalies.Count(p => p > 0.5) >= 0.8 * anomalies.Length, $"only {anomalies.Count(p => p > 0.5)} of {anomalies.Length} planted anomalies have a probability above ½");
                Assert.True(normal.Count(p => p > 0.5) <= 0.05 * normal.Length, $"{normal.Count(p => p > 0.5)} of {normal.Length} normal rows have a probability above ½");
                Assert.True(normal.Average() < 0.05, $"normal rows' mean probability {normal.Average():F3}");
            }
        }
        finally
        {
            (model as IDisposable)?.Dispose();
        }
    }

    [Fact]
    public void SaveAndLoadGiveIdenticalProbabilitiesAndThePredictionEngineReadsThem()
    {
        var data = SyntheticData.Load(_ml, Rows(seed: 3), Dimensions);
        var fresh = SyntheticData.Load(_ml, Rows(seed: 5), Dimensions);
        using var saved = new MemoryStream();
        float[] before, beforeScores;
        using (var model = _ml.Autoencoders().Autoencoder(TestOptions.Small(epochs: 20)).Fit(data))
        {
            beforeScores = TestOptions.Column<float>(model.Transform(fresh), "Score");
            before = TestOptions.Column<float>(model.Transform(fresh), Probability);
            _ml.Autoencoders().Save(model, data.Schema, saved);
        }
        var loaded = _ml.Autoencoders().Load(new MemoryStream(saved.ToArray()), out _);
        try
        {
            Assert.Equal(Probability, loaded.FindAnomalyDetector()!.ProbabilityColumnName);
            Assert.Equal(before, TestOptions.Column<float>(loaded.Transform(fresh), Probability));

            using var engine = _ml.Model.CreatePredictionEngine<Input, Prediction>(loaded, new PredictionEngineOptions { OwnsTransformer = false });
            var first = TestOptions.Vectors(fresh, "Features").Take(50).ToArray();
            for (int i = 0; i < first.Length; i++)
            {
                var prediction = engine.Predict(new Input { Features = first[i] });
                // One row alone goes through other matrix kernels than a batch: the score equal to float rounding, and
                // the probability with it (a continuous map of the score).
                Assert.Equal(beforeScores[i], prediction.Score, 4);
                Assert.Equal(before[i], prediction.Probability, 3);
            }
        }
        finally
        {
            (loaded as IDisposable)?.Dispose();
        }
    }

    private sealed class Input
    {
        [VectorType(Dimensions)] public float[] Features { get; set; } = [];
    }

    private sealed class Prediction
    {
        public float Score { get; set; }
        public float Probability { get; set; }
    }

    [Fact]
    public void ColumnIsNamedByTheOptionAndNullSwitchesItOff()
    {
        var data = SyntheticData.Load(_ml, Rows(seed: 3), Dimensions);
        using var renamed = _ml.Autoencoders().Autoencoder(Set(TestOptions.Small(epochs: 1), o => o.ProbabilityColumnName = "AnomalyProbability")).Fit(data);
        Assert.Equal("AnomalyProbability", renamed.ProbabilityColumnName);
        Assert.Equal(NumberDataViewType.Single, renamed.GetOutputSchema(data.Schema)["AnomalyProbability"].Type);
        using var off = _ml.Autoencoders().Autoencoder(Set(TestOptions.Small(epochs: 1), o => o.ProbabilityColumnName = null)).Fit(data);
        Assert.Null(off.ProbabilityColumnName);
        Assert.Null(off.GetOutputSchema(data.Schema).GetColumnOrNull(Probability));
        Assert.ThrowsAny<ArgumentException>(() => _ml.Autoencoders().Autoencoder(Set(TestOptions.Small(epochs: 1), o => o.ProbabilityColumnName = o.ScoreColumnName)));
    }

    [Fact]
    public void AnotherVariationalScoreKindDropsTheProbabilityColumn()
    {
        var data = SyntheticData.Load(_ml, Rows(seed: 3), Dimensions);
        using var model = _ml.Autoencoders().VariationalAutoencoder(TestOptions.Small(new VariationalAutoencoderOptions(), epochs: 1, seed: 7)).Fit(data);
        using var other = model.WithScoreKind(VariationalScoreKind.NegativeElbo, threshold: 1);
        Assert.Equal(Probability, model.ProbabilityColumnName);
        Assert.Null(other.ProbabilityColumnName);   // the calibration was fitted on the other kind's scores
        Assert.Null(other.Transform(data).Schema.GetColumnOrNull(Probability));
    }

    [Fact]
    public void CalibrationOfKnownScoresSeparatesAPlantedTail()
    {
        var random = new Random(1);
        var scores = Enumerable.Range(0, 10_000).Select(i => i % 50 == 0 ? 8f + (float)random.NextDouble() : (float)SyntheticData.Gaussian(random)).ToArray();
        var calibration = ScoreCalibration.Fit(scores);
        Assert.Null(ScoreCalibration.Problem(calibration.Scores, calibration.Probabilities));
        Assert.InRange(calibration.Scores.Length, 2, ScoreCalibration.Bins + 2);
        Assert.Equal(0f, calibration.Probability(0f));        // the median
        Assert.Equal(0f, calibration.Probability(-5f));
        Assert.True(calibration.Probability(1.5f) < 0.1, $"P(1.5) = {calibration.Probability(1.5f)}");   // inside the normal bulk
        Assert.True(calibration.Probability(8.5f) > 0.95, $"P(8.5) = {calibration.Probability(8.5f)}");  // among the planted 2 %
        Assert.Equal(1f, calibration.Probability(100f));
        // The expected probability over the rows is about the planted share (2 %).
        Assert.InRange(scores.Average(s => calibration.Probability(s)), 0.015, 0.04);
        float last = 0;
        for (float s = -10; s < 20; s += 0.01f)
        {
            float p = calibration.Probability(s);
            Assert.True(p >= last, $"P({s}) = {p} < {last}");
            last = p;
        }
    }

    [Fact]
    public void CalibrationOfScoresWithoutSpreadIsAStepAboveTheLargest()
    {
        var calibration = ScoreCalibration.Fit([2f, 2f, 2f, 2f]);
        Assert.Null(ScoreCalibration.Problem(calibration.Scores, calibration.Probabilities));
        Assert.Equal(0f, calibration.Probability(2f));
        Assert.Equal(1f, calibration.Probability(2.001f));
    }

    /// <summary>Edits of the saved knots, each resealed as a forger would, and the words the rejection must contain.</summary>
    public static TheoryData<string, string> TamperedKnots => new()
    {
        { "unsorted", "must increase" },
        { "probability 1.5", "[0, 1]" },
        { "decreasing probabilities", "must not decrease" },
        { "counts differ", "pair up" },
        { "too many knots", "knots; expected 2 to" },
        { "one knot", "knots; expected 2 to" },
        { "beyond Single", "scores must be finite" },
        { "text for a number", "not a valid model manifest" },
        { "calibration removed", "no score calibration" },
    };

    [Theory]
    [MemberData(nameof(TamperedKnots))]
    public void ModelValidationRejectsTamperedKnots(string edit, string message)
    {
        var data = SyntheticData.Load(_ml, Rows(seed: 3), Dimensions);
        using var saved = new MemoryStream();
        using (var model = _ml.Autoencoders().Autoencoder(TestOptions.Small(epochs: 2)).Fit(data))
            _ml.Autoencoders().Save(model, data.Schema, saved);
        var file = ModelFileEditor.EditManifest(saved.ToArray(), manifest =>
        {
            var stage = manifest["Stages"]!.AsArray().Single(s => (string?)s!["Kind"] == "network")!;
            var scores = stage["Calibration"]!["Scores"]!.AsArray();
            var probabilities = stage["Calibration"]!["Probabilities"]!.AsArray();
            switch (edit)
            {
                case "unsorted": (scores[0], scores[1]) = (scores[1]!.DeepClone(), scores[0]!.DeepClone()); break;
                case "probability 1.5": probabilities[^1] = 1.5; break;
                case "decreasing probabilities": probabilities[^1] = 0; probabilities[0] = 0.5; break;
                case "counts differ": probabilities.RemoveAt(probabilities.Count - 1); break;
                case "too many knots":
                    scores.Clear(); probabilities.Clear();
                    for (int i = 0; i < 5000; i++) { scores.Add(i); probabilities.Add(0); }
                    break;
                case "one knot": while (scores.Count > 1) { scores.RemoveAt(1); probabilities.RemoveAt(1); } break;
                case "beyond Single": scores[^1] = JsonValue.Create(1e300); break;
                case "text for a number": scores[0] = "low"; break;
                case "calibration removed": stage.AsObject().Remove("Calibration"); break;
                default: throw new ArgumentOutOfRangeException(nameof(edit));
            }
        }, reseal: true);
        var e = Assert.Throws<InvalidDataException>(() => _ml.Autoencoders().Load(new MemoryStream(file), out _));
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void AModelSavedWithoutProbabilityLoadsAndScoresAsBefore()
    {
        // Files written before the column existed have neither the calibration nor the column.
        var data = SyntheticData.Load(_ml, Rows(seed: 3), Dimensions);
        using var saved = new MemoryStream();
        float[] scores;
        using (var model = _ml.Autoencoders().Autoencoder(TestOptions.Small(epochs: 2)).Fit(data))
        {
            scores = TestOptions.Column<float>(model.Transform(data), "Score");
            _ml.Autoencoders().Save(model, data.Schema, saved);
        }
        var file = ModelFileEditor.EditManifest(saved.ToArray(), manifest =>
        {
            var stage = manifest["Stages"]!.AsArray().Single(s => (string?)s!["Kind"] == "network")!.AsObject();
            stage.Remove("Calibration");
            var outputs = stage["Outputs"]!.AsArray();
            outputs.Remove(outputs.Single(o => (string?)o!["Kind"] == "Probability"));
        }, reseal: true);
        var loaded = _ml.Autoencoders().Load(new MemoryStream(file), out _);
        try
        {
            Assert.Null(loaded.FindAnomalyDetector()!.ProbabilityColumnName);
            Assert.Equal(scores, TestOptions.Column<float>(loaded.Transform(data), "Score"));
        }
        finally
        {
            (loaded as IDisposable)?.Dispose();
        }
    }
}
