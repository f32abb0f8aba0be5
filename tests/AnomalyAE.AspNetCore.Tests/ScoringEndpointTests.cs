using System.Text.Json.Nodes;

namespace AnomalyAE.AspNetCore.Tests;

/// <summary>Scoring through HTTP: the model's columns under its own names, the in-process scores, and 400/413 for bad requests.</summary>
public sealed class ScoringEndpointTests(ModelFiles models) : IClassFixture<ModelFiles>
{
    private static readonly string[] Outputs = ["AnomalyScore", "IsAnomaly", "Code", "Contributions", "AnomalyProbability"];

    [Fact]
    public async Task PlantedAnomaliesScoreAboveNormalsAndEqualTheInProcessScores()
    {
        await using var app = await ScoringApp.StartAsync(models.First);
        var rows = TestModels.Rows(200, seed: 7);
        var (status, body) = await app.PostAsync(rows.Select(ScoringApp.Json));

        Assert.Equal(200, status);
        var answers = body!.AsArray().Select(r => r!).ToArray();
        Assert.Equal(rows.Length, answers.Length);
        foreach (var answer in answers) Assert.Equal(Outputs, answer.AsObject().Select(p => p.Key));

        var scores = answers.Select(a => a.Number("AnomalyScore")).ToArray();
        var planted = Enumerable.Range(0, rows.Length).Where(i => rows[i].Outlier).ToArray();
        var top = Enumerable.Range(0, rows.Length).OrderByDescending(i => scores[i]).Take(planted.Length).Order();
        Assert.Equal(planted, top);

        // A request of several rows is one batched Transform: the same numbers as the transformer in process.
        var expected = TestModels.ScoreInProcess(models.First, rows);
        for (int i = 0; i < rows.Length; i++)
        {
            Assert.Equal((float)expected["AnomalyScore"][i], scores[i]);
            Assert.Equal((bool)expected["IsAnomaly"][i], answers[i]["IsAnomaly"]!.GetValue<bool>());
            Assert.Equal((float[])expected["Code"][i], answers[i].Numbers("Code"));
            Assert.Equal((float[])expected["Contributions"][i], answers[i].Numbers("Contributions"));
            Assert.Equal((float)expected["AnomalyProbability"][i], answers[i].Number("AnomalyProbability"));
        }
        Assert.True(answers.Count(a => a["IsAnomaly"]!.GetValue<bool>()) >= planted.Length, "the planted outliers are labelled anomalous");
    }

    [Fact]
    public async Task OneObjectGetsOneObjectScoredLikeAPredictionEngine()
    {
        await using var app = await ScoringApp.StartAsync(models.First);
        var rows = TestModels.Rows(30, seed: 8);
        var expected = TestModels.PredictInProcess(models.First, rows);
        Assert.True(expected[25].Label, "the planted outlier is flagged");
        foreach (int i in new[] { 0, 25, 29 })
        {
            var (status, body) = await app.PostAsync(ScoringApp.Json(rows[i]));
            Assert.Equal(200, status);
            Assert.IsType<JsonObject>(body);
            // One row takes a pooled row engine, the PredictionEngine's path: the same numbers. (A forward pass of one row
            // and one of a batch may differ in the last float digits.)
            Assert.Equal(expected[i].Score, body!.Number("AnomalyScore"));
            Assert.Equal(expected[i].Label, body["IsAnomaly"]!.GetValue<bool>());
        }
    }

    [Fact]
    public async Task ResponseColumnsNarrowTheAnswerAndMustBeTheModels()
    {
        await using (var app = await ScoringApp.StartAsync(models.First, o => o.ResponseColumns = ["IsAnomaly", "AnomalyScore"]))
        {
            var (status, body) = await app.PostAsync(ScoringApp.Json(TestModels.Rows(1, seed: 8)[0]));
            Assert.Equal(200, status);
            Assert.Equal(["AnomalyScore", "IsAnomaly"], body!.AsObject().Select(p => p.Key));
        }
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => ScoringApp.StartAsync(models.First, o => o.ResponseColumns = ["Score"]));
        Assert.Contains("AnomalyScorerOptions.ResponseColumns: Output column 'Score' is asked for, but the model does not emit it; it emits AnomalyScore, IsAnomaly, Code, Contributions", error.Message);
    }

    public static TheoryData<string, string, string> BadRows => new()
    {
        { """{"id":"a"}""", "Features", "no such field" },
        { """{"Features":[1,2,3,4,5,6,7]}""", "Features", "an array of 7 values" },
        { """{"Features":"1,2,3,4,5,6,7,8"}""", "Features", "the string" },
        { """{"Features":[1,2,3,"NaN",5,6,7,8]}""", "Features", "the string \"NaN\" at item 3" },
        { """{"Features":[1,2,3,4,5,6,7,1e39]}""", "Features", "1e39 at item 7, which is not a finite Single" },
        { """{"Features":[1,2,3,4,5,6,7,null]}""", "Features", "null at item 7" },
        { """[{"Features":[1,2,3,4,5,6,7,8]},{"features":[1,2,3,4,5,6,7,8]}]""", "Features", "no such field" },
    };

    [Theory]
    [MemberData(nameof(BadRows))]
    public async Task ABadFieldGets400NamingTheFieldAndBothTypes(string json, string field, string actual)
    {
        await using var app = await ScoringApp.StartAsync(models.First);
        var (status, problem) = await Post(app, json);

        Assert.Equal(400, status);
        Assert.Equal(field, problem!["field"]!.GetValue<string>());
        Assert.Equal("an array of 8 numbers (Vector<Single, 8>)", problem["expected"]!.GetValue<string>());
        Assert.Contains(actual, problem["actual"]!.GetValue<string>());
        Assert.Contains($"field '{field}'", problem["detail"]!.GetValue<string>());
        Assert.Equal(json.StartsWith('[') ? 1 : 0, problem["row"]!.GetValue<int>());
    }

    [Theory]
    [InlineData("""{"Features":[1,2""", "not valid JSON")]
    [InlineData("[]", "empty array")]
    [InlineData("42", "the number 42")]
    [InlineData("""[{"Features":[1,2,3,4,5,6,7,8]}, 3]""", "Row 1 is the number 3")]
    public async Task AMalformedBodyGets400SayingWhatToSend(string json, string detail)
    {
        await using var app = await ScoringApp.StartAsync(models.First);
        var (status, problem) = await Post(app, json);
        Assert.Equal(400, status);
        Assert.Contains(detail, problem!["detail"]!.GetValue<string>());
    }

    [Fact]
    public async Task RequestsOverTheLimitsGet413NamingTheOption()
    {
        await using var app = await ScoringApp.StartAsync(models.First, o => { o.MaxRowsPerRequest = 10; o.MaxRequestBodyBytes = 4000; });
        var rows = TestModels.Rows(11, seed: 9).Select(ScoringApp.Json);
        var (status, problem) = await app.PostAsync(rows);
        Assert.Equal(413, status);
        Assert.Contains("MaxRowsPerRequest allows 10", problem!["detail"]!.GetValue<string>());

        var padded = new { Features = new float[8], id = new string('x', 5000) };
        (status, problem) = await app.PostAsync(padded);
        Assert.Equal(413, status);
        Assert.Contains("MaxRequestBodyBytes allows 4000", problem!["detail"]!.GetValue<string>());

        (status, _) = await app.PostAsync(TestModels.Rows(10, seed: 9).Select(ScoringApp.Json));
        Assert.Equal(200, status);
    }

    [Fact]
    public async Task ConcurrentRequestsEachGetTheirOwnRowsScores()
    {
        await using var app = await ScoringApp.StartAsync(models.First);
        var rows = TestModels.Rows(100, seed: 10);
        // 8 clients at once, each sending single rows and small batches of its own rows; expected: the same requests in process.
        var requests = Enumerable.Range(0, 8).Select(client => Enumerable.Range(0, 12)
            .Select(request => (Start: (client * 12 + request) % 90, Count: request % 3 == 0 ? 1 : 1 + request % 7)).ToArray()).ToArray();
        var single = TestModels.PredictInProcess(models.First, rows);
        var model = new Microsoft.ML.MLContext(seed: 1).Autoencoders().Load(models.First, out _);
        var batched = requests.SelectMany(r => r).Where(r => r.Count > 1).Distinct()
            .ToDictionary(r => r, r => TestModels.ScoreInProcess(model, rows.Skip(r.Start).Take(r.Count))["AnomalyScore"]);
        (model as IDisposable)?.Dispose();

        await Task.WhenAll(requests.Select(client => Task.Run(async () =>
        {
            foreach (var (start, count) in client)
            {
                object body = count == 1 ? ScoringApp.Json(rows[start]) : rows.Skip(start).Take(count).Select(ScoringApp.Json);
                var (status, answer) = await app.PostAsync(body);
                Assert.Equal(200, status);
                var answers = count == 1 ? [answer!] : answer!.AsArray().Select(a => a!).ToArray();
                for (int i = 0; i < count; i++)
                    Assert.Equal(count == 1 ? single[start].Score : (float)batched[(start, count)][i], answers[i].Number("AnomalyScore"));
            }
        })));
    }

    [Fact]
    public async Task TheWindowsRouteOfARowModelGets409AndAnotherPathUnderTheEndpoint404()
    {
        await using var app = await ScoringApp.StartAsync(models.First);
        var (status, problem) = await Post(app, """{"Window":[1,2,3]}""", "/score/windows");
        Assert.Equal(409, status);
        Assert.Contains("not a sequence model", problem!["detail"]!.GetValue<string>());
        Assert.Contains("Send the rows as steps to the endpoint itself", problem["detail"]!.GetValue<string>());

        (status, problem) = await Post(app, """{"Features":[1,2,3,4,5,6,7,8]}""", "/score/window");
        Assert.Equal(404, status);
        Assert.Contains("'/score/window' is not a scoring route", problem!["detail"]!.GetValue<string>());
    }

    private static async Task<(int, JsonNode?)> Post(ScoringApp app, string json, string path = "/score")
    {
        using var content = new StringContent(json, System.Text.Encoding.UTF8, "application/json");
        using var response = await app.Client.PostAsync(path, content);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return ((int)response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync()));
    }
}
