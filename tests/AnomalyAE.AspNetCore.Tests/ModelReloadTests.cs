namespace AnomalyAE.AspNetCore.Tests;

/// <summary>The model is loaded at start-up (or start-up fails naming the file), swapped when its file changes, and kept when a new file is bad.</summary>
public sealed class ModelReloadTests(ModelFiles models) : IClassFixture<ModelFiles>
{
    private static readonly TestModels.Row[] Rows = TestModels.Rows(50, seed: 11);

    [Fact]
    public async Task AChangedFileSwapsModelsAndACorruptOneKeepsTheCurrent()
    {
        string served = models.Copy(models.First);
        var first = TestModels.ScoreInProcess(models.First, Rows)["AnomalyScore"];
        var second = TestModels.ScoreInProcess(models.Second, Rows)["AnomalyScore"];
        Assert.NotEqual(first[0], second[0]);
        await using var app = await ScoringApp.StartAsync(served);
        Assert.Equal(first, await Scores(app));

        ModelFiles.Replace(served, models.Second);
        await Until(() => app.Logged("Swapped in the new model") == 1);
        Assert.Equal(second, await Scores(app));

        string corrupt = Path.Combine(models.Folder, $"corrupt-{Guid.NewGuid():N}.aeml");
        File.WriteAllBytes(corrupt, [.. File.ReadAllBytes(models.First).Take(5000)]);
        ModelFiles.Replace(served, corrupt);
        await Until(() => app.Logged("Rejected the new model file") == 1);
        Assert.Equal(1, app.Logged("Error: Rejected the new model file " + served));
        Assert.Equal(second, await Scores(app));
    }

    [Fact]
    public async Task RequestsDuringSwapsAreScoredWholeByOneModelOrTheOther()
    {
        string served = models.Copy(models.First);
        var first = TestModels.ScoreInProcess(models.First, Rows)["AnomalyScore"];
        var second = TestModels.ScoreInProcess(models.Second, Rows)["AnomalyScore"];
        await using var app = await ScoringApp.StartAsync(served, o => o.ModelReloadInterval = TimeSpan.FromHours(1));
        using var stop = new CancellationTokenSource();
        var clients = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            int requests = 0;
            while (!stop.IsCancellationRequested || requests < 3)
            {
                var scores = await Scores(app);
                Assert.True(scores.SequenceEqual(first) || scores.SequenceEqual(second), "every request is scored by one whole model");
                requests++;
            }
            return requests;
        })).ToArray();
        for (int swap = 0; swap < 6; swap++)
        {
            ModelFiles.Replace(served, swap % 2 == 0 ? models.Second : models.First);
            Assert.True(app.Scorer.ReloadIfChanged());
            await Task.Delay(50);
        }
        stop.Cancel();
        Assert.All(await Task.WhenAll(clients), requests => Assert.True(requests >= 3));
        Assert.Equal(first, await Scores(app));
    }

    [Fact]
    public async Task StartUpFailsNamingTheFileAndTheFix()
    {
        string missing = Path.Combine(models.Folder, "no-such-model.aeml");
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => ScoringApp.StartAsync(missing));
        Assert.Contains($"'{missing}' (AnomalyScorerOptions.ModelPath) does not exist", error.Message);

        string corrupt = Path.Combine(models.Folder, $"corrupt-{Guid.NewGuid():N}.aeml");
        File.WriteAllText(corrupt, "not a model");
        error = await Assert.ThrowsAsync<InvalidOperationException>(() => ScoringApp.StartAsync(corrupt));
        Assert.Contains($"'{corrupt}' (AnomalyScorerOptions.ModelPath) cannot be served", error.Message);
        Assert.Contains("Point ModelPath at an anomaly-scoring model", error.Message);
    }

    [Fact]
    public async Task WithASigningKeyOnlySignedModelsAreServed()
    {
        var key = ModelSigningKey.Generate();
        string base64 = key.ToBase64();
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => ScoringApp.StartAsync(models.First, o => o.ModelSigningKey = base64));
        Assert.Contains("signed with the key of AnomalyScorerOptions.ModelSigningKey", error.Message);

        string signed = Path.Combine(models.Folder, $"signed-{Guid.NewGuid():N}.aeml");
        var ml = new Microsoft.ML.MLContext(seed: 1);
        var model = ml.Autoencoders().Load(models.First, out var schema);
        ml.Autoencoders().Save(model, schema, signed, key);
        (model as IDisposable)?.Dispose();
        await using var app = await ScoringApp.StartAsync(signed, o => o.ModelSigningKey = base64);
        Assert.Equal(TestModels.ScoreInProcess(models.First, Rows)["AnomalyScore"], await Scores(app));
    }

    private static async Task<object[]> Scores(ScoringApp app)
    {
        var (status, body) = await app.PostAsync(Rows.Select(ScoringApp.Json));
        Assert.Equal(200, status);
        return [.. body!.AsArray().Select(r => (object)r!.Number("AnomalyScore"))];
    }

    private static async Task Until(Func<bool> condition)
    {
        for (int i = 0; i < 200 && !condition(); i++) await Task.Delay(50);
        Assert.True(condition(), "within 10 s");
    }
}
