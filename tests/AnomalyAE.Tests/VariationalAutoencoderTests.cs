using Microsoft.ML;
using Microsoft.ML.Data;

namespace AnomalyAE.Tests;

public class VariationalAutoencoderTests
{
    private const int Dimensions = 20;

    private static VariationalAutoencoderOptions Small(int epochs = 30, int seed = 5) =>
        TestOptions.Small(new VariationalAutoencoderOptions { LatentLogVarianceColumnName = "LatentLogVariance" }, epochs, seed);

    [Fact]
    public void KlTermPushesTheAggregatePosteriorTowardStandardNormal()
    {
        var ml = new MLContext(seed: 1);
        var data = SyntheticData.Load(ml, SyntheticData.Manifold(2000, Dimensions, anomalyFraction: 0), Dimensions);
        using var model = ml.Autoencoders().VariationalAutoencoder(Small(epochs: 40)).Fit(data);
        var scored = model.Transform(data);
        var mu = TestOptions.Vectors(scored, "LatentFeatures");
        var logVar = TestOptions.Vectors(scored, "LatentLogVariance");

        for (int k = 0; k < 2; k++)
        {
            double mean = mu.Average(m => m[k]);
            // Variance of the aggregate posterior = variance of the means + mean of the variances.
            double variance = mu.Average(m => (m[k] - mean) * (m[k] - mean)) + logVar.Average(v => Math.Exp(v[k]));
            Assert.InRange(mean, -0.25, 0.25);
            Assert.InRange(variance, 0.6, 1.4);
        }
    }

    [Fact]
    public void NegativeElboDecreasesOverEpochs()
    {
        var ml = new MLContext(seed: 1);
        var data = SyntheticData.Load(ml, SyntheticData.Manifold(1000, Dimensions), Dimensions);
        using var model = ml.Autoencoders().VariationalAutoencoder(Small(epochs: 15)).Fit(data);
        var history = model.TrainingHistory;
        Assert.True(history[^1].TrainingLoss < 0.5 * history[0].TrainingLoss, $"{history[0].TrainingLoss} -> {history[^1].TrainingLoss}");
        Assert.True(history[^1].ValidationLoss < history[0].ValidationLoss);
    }

    [Fact]
    public void TwoDimensionalLatentSeparatesTwoClusters()
    {
        var ml = new MLContext(seed: 1);
        var random = new Random(3);
        var rows = Enumerable.Range(0, 600).Select(i =>
        {
            int cluster = i % 2;
            return new FeatureRow { Label = cluster, Features = Enumerable.Range(0, 10).Select(j => (float)((cluster == 0 ? 1 : -1) * (j % 3 - 1) + 0.3 * SyntheticData.Gaussian(random))).ToArray() };
        }).ToArray();
        var data = SyntheticData.Load(ml, rows, 10);
        var options = Small(epochs: 30);
        using var model = ml.Autoencoders().VariationalAutoencoder(options).Fit(data);
        var mu = TestOptions.Vectors(model.Transform(data), "LatentFeatures");

        var centroids = new[] { 0, 1 }.Select(c => Enumerable.Range(0, 2).Select(k => mu.Where((_, i) => rows[i].Label == c).Average(m => (double)m[k])).ToArray()).ToArray();
        double Distance(float[] m, double[] c) => (m[0] - c[0]) * (m[0] - c[0]) + (m[1] - c[1]) * (m[1] - c[1]);
        double accuracy = mu.Select((m, i) => (Distance(m, centroids[0]) < Distance(m, centroids[1]) ? 0 : 1) == rows[i].Label ? 1.0 : 0.0).Average();
        Assert.True(accuracy >= 0.98, $"nearest-centroid accuracy in the latent plane {accuracy:P1}");
    }

    [Theory]
    [InlineData(VariationalScoreKind.ReconstructionError)]
    [InlineData(VariationalScoreKind.NegativeElbo)]
    [InlineData(VariationalScoreKind.ReconstructionProbability)]
    public void EveryScoreKindRanksPlantedAnomaliesOnTop(VariationalScoreKind kind)
    {
        var ml = new MLContext(seed: 1);
        var data = SyntheticData.Load(ml, SyntheticData.Manifold(2000, Dimensions, anomalyFraction: 0.02), Dimensions);
        var options = Small(epochs: 30);
        options.ScoreKind = kind;
        using var model = ml.Autoencoders().VariationalAutoencoder(options).Fit(data);
        var metrics = ml.AnomalyDetection.Evaluate(model.Transform(data));
        Assert.True(metrics.AreaUnderRocCurve >= 0.95, $"{kind}: AUC {metrics.AreaUnderRocCurve:F3}");
    }

    [Fact]
    public void SameSeedGivesSameScoresAndSamplingScoresAreRepeatableRowByRow()
    {
        var ml = new MLContext(seed: 1);
        var data = SyntheticData.Load(ml, SyntheticData.Manifold(500, Dimensions), Dimensions);
        VariationalAutoencoderTransformer Fit()
        {
            var options = Small(epochs: 5);
            options.ScoreKind = VariationalScoreKind.ReconstructionProbability;
            return ml.Autoencoders().VariationalAutoencoder(options).Fit(data);
        }
        using var first = Fit();
        using var second = Fit();
        var scores = TestOptions.Column<float>(first.Transform(data), "Score");
        Assert.Equal(scores, TestOptions.Column<float>(second.Transform(data), "Score"));
        Assert.Equal(scores, TestOptions.Column<float>(first.Transform(data), "Score"));

        // A row's score does not depend on which rows share its batch (up to float rounding of differently sized GEMMs).
        var shifted = TestOptions.Column<float>(first.Transform(ml.Data.TakeRows(ml.Data.SkipRows(data, 7), 50)), "Score");
        Assert.Equal(scores.Skip(7).Take(50), shifted, (a, b) => Math.Abs(a - b) <= 1e-5f * Math.Max(1, Math.Abs(a)));
    }

    [Fact]
    public void GenerationDecodingAndInterpolationProduceFiniteRowsOfTheRightSize()
    {
        var ml = new MLContext(seed: 1);
        var rows = SyntheticData.Manifold(600, Dimensions, anomalyFraction: 0);
        var data = SyntheticData.Load(ml, rows, Dimensions);
        using var model = ml.Autoencoders().VariationalAutoencoder(Small(epochs: 20)).Fit(data);

        var generated = model.Generate(25, seed: 4);
        Assert.Equal(25, generated.Length);
        Assert.All(generated, g => { Assert.Equal(Dimensions, g.Length); Assert.All(g, v => Assert.True(float.IsFinite(v))); });
        Assert.Equal(generated, model.Generate(25, seed: 4));
        Assert.NotEqual(generated, model.Generate(25, seed: 5));

        // Generated rows look like training rows: they score like them, far below uniform noise.
        var generatedScores = TestOptions.Column<float>(model.Transform(model.GenerateDataView(ml, 200, seed: 1)), "Score");
        var noise = SyntheticData.Manifold(200, Dimensions, anomalyFraction: 1, seed: 9);
        var noiseScores = TestOptions.Column<float>(model.Transform(SyntheticData.Load(ml, noise, Dimensions)), "Score");
        Assert.True(generatedScores.Average() < 0.2 * noiseScores.Average(), $"generated {generatedScores.Average():G3} vs noise {noiseScores.Average():G3}");

        var path = model.Interpolate(rows[0].Features, rows[1].Features, steps: 5);
        Assert.Equal(5, path.Length);
        var reconstructions = TestOptions.Vectors(model.Transform(SyntheticData.Load(ml, rows.Take(2), Dimensions)), "Reconstruction");
        Assert.Equal(reconstructions[0], path[0], (a, b) => Math.Abs(a - b) < 1e-5f);
        Assert.Equal(reconstructions[1], path[^1], (a, b) => Math.Abs(a - b) < 1e-5f);

        var decoded = model.Decode([new float[] { 0, 0 }, new float[] { 1, -1 }]);
        Assert.Equal(2, decoded.Length);
        Assert.Throws<ArgumentException>(() => model.Decode([new float[] { 0, 0, 0 }]));
        Assert.Throws<ArgumentException>(() => model.Decode([new float[] { float.NaN, 0 }]));
    }

    [Fact]
    public void WithScoreKindScoresLikeAModelTrainedForThatKind()
    {
        var ml = new MLContext(seed: 1);
        var data = SyntheticData.Load(ml, SyntheticData.Manifold(400, Dimensions), Dimensions);
        VariationalAutoencoderTransformer Fit(VariationalScoreKind kind)
        {
            var options = Small(epochs: 4);
            options.ScoreKind = kind;
            return ml.Autoencoders().VariationalAutoencoder(options).Fit(data);
        }
        using var reconstruction = Fit(VariationalScoreKind.ReconstructionError);
        using var elbo = Fit(VariationalScoreKind.NegativeElbo);
        using var switched = reconstruction.WithScoreKind(VariationalScoreKind.NegativeElbo, threshold: 3f);

        Assert.Equal(TestOptions.Column<float>(elbo.Transform(data), "Score"), TestOptions.Column<float>(switched.Transform(data), "Score"));
        Assert.NotEqual(TestOptions.Column<float>(reconstruction.Transform(data), "Score"), TestOptions.Column<float>(switched.Transform(data), "Score"));
        Assert.Equal(3f, switched.Threshold);
    }

    public static TheoryData<string, Action<VariationalAutoencoderOptions>> BadOptions => new()
    {
        { "Beta", o => o.Beta = -0.1 },
        { "LatentDimension", o => o.LatentDimension = 0 },
        { "ScoreSamples", o => o.ScoreSamples = 0 },
        { "KlWarmupEpochs", o => o.KlWarmupEpochs = -1 },
        { "ScoreKind", o => o.ScoreKind = (VariationalScoreKind)9 },
        { "'Score' is used for more than one output", o => o.LatentLogVarianceColumnName = "Score" },
    };

    [Theory]
    [MemberData(nameof(BadOptions))]
    public void BadOptionsAreRejected(string named, Action<VariationalAutoencoderOptions> edit)
    {
        var options = Small();
        edit(options);
        var ml = new MLContext(seed: 1);
        var e = Assert.ThrowsAny<ArgumentException>(() =>
            ml.Autoencoders().VariationalAutoencoder(options).Fit(SyntheticData.Load(ml, SyntheticData.Manifold(50, Dimensions), Dimensions)));
        Assert.Contains(named, e.Message);
    }
}
