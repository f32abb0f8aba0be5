// Request latency of the ASP.NET Core scoring endpoint (AddAnomalyScorer + MapAnomalyScoring) over real Kestrel on
// loopback, next to in-process scoring of the same model in the same run: PredictionEngine single rows (the floor a
// web request adds to), and a 100-row batch as a PredictionEngine loop and as one Transform (the endpoint's two paths).
// Model: 784 → 128 → 32 → 128 → 784 on MNIST, one network, reconstruction error, one libtorch thread.
// Usage: dotnet run --project bench/AnomalyAE.WebBench -c Release [-- --requests 2000] [--epochs 2]
using System.Net;
using System.Text;
using System.Text.Json;
using AnomalyAE;
using AnomalyAE.AspNetCore;
using AnomalyAE.Datasets;
using AnomalyAE.DataViews;
using AnomalyAE.WebBench;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.ML;
using Microsoft.ML.Data;

int requests = 2000, epochs = 2;
for (int i = 0; i < args.Length; i++)
{
    int Value() => i + 1 < args.Length ? int.Parse(args[++i]) : throw new ArgumentException($"{args[i]} needs a value.");
    switch (args[i])
    {
        case "--requests": requests = Value(); break;
        case "--epochs": epochs = Value(); break;
        default: throw new ArgumentException($"Unknown option '{args[i]}'. Options: --requests N --epochs N.");
    }
}

var cpu = File.Exists("/proc/cpuinfo") ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name"))?.Split(':', 2)[1].Trim() : null;
Console.WriteLine($"AnomalyAE web serving benchmark: {cpu ?? "unknown CPU"}, {Environment.ProcessorCount} cores; {requests} requests per figure, one client at a time.");

// The model: 784-128-32 on MNIST, as in bench/AnomalyAE.Bench.
var digits = ImageDataset.ReadPair(Path.Combine(AppContext.BaseDirectory, "data"), "mnist").Select(d => d.Features).ToArray();
var ml = new MLContext(seed: 1);
var train = new ColumnarDataView.Builder().AddVector("Features", 784, digits).Build();
string folder = Directory.CreateTempSubdirectory("anomalyae-webbench-").FullName;
string modelPath = Path.Combine(folder, "model.aeml");
using (var fitted = ml.Autoencoders().Autoencoder(new AutoencoderOptions
{
    HiddenLayers = [128], LatentDimension = 32, Epochs = epochs, BatchSize = 256, ValidationFraction = 0, NumberOfThreads = 1, Seed = 1,
    EnsembleSize = 1, ScoreKind = AutoencoderScoreKind.ReconstructionError,
}).Fit(train))
    ml.Autoencoders().Save(fitted, train.Schema, modelPath);

// In process: the loaded model, as the server loads it.
var model = ml.Autoencoders().Load(modelPath, out var inputSchema);
var definition = SchemaDefinition.Create(typeof(Row));
definition[nameof(Row.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, 784);
var engine = ml.Model.CreatePredictionEngine<Row, Prediction>(model, new PredictionEngineOptions { OwnsTransformer = false, InputSchemaDefinition = definition });
var input = new Row();
var engineSingle = Latency.Measure(requests, i => { input.Features = digits[i % digits.Length]; engine.Predict(input); });
var engineHundred = Latency.Measure(requests / 10, i =>
{
    for (int r = 0; r < 100; r++) { input.Features = digits[(i * 100 + r) % digits.Length]; engine.Predict(input); }
});
var hundreds = Enumerable.Range(0, 10).Select(b => new ColumnarDataView.Builder().AddVector("Features", 784, digits[(b * 100)..(b * 100 + 100)]).Build()).ToArray();
var transformHundred = Latency.Measure(requests / 10, i =>
{
    var scored = model.Transform(hundreds[i % hundreds.Length]);
    var column = scored.Schema[model.FindAnomalyDetector()!.ScoreColumnName!];
    using var cursor = scored.GetRowCursor([column]);
    var score = cursor.GetGetter<float>(column);
    float value = 0;
    while (cursor.MoveNext()) score(ref value);
});
var transformSingle = Latency.Measure(requests, i =>
{
    var scored = model.Transform(new ColumnarDataView.Builder().AddVector("Features", 784, [digits[i % digits.Length]]).Build());
    scored.GetColumn<float>(model.FindAnomalyDetector()!.ScoreColumnName!).First();
});

// Over HTTP: Kestrel on a loopback port, one keep-alive connection; the default response (every column the model emits:
// score, label, 32 latent features, 784 reconstructed pixels) and one of the score and label only (ResponseColumns).
var detector = model.FindAnomalyDetector()!;
byte[][] singleBodies = [.. digits.Take(1000).Select(d => JsonSerializer.SerializeToUtf8Bytes(new Row { Features = d }))];
byte[][] hundredBodies = [.. Enumerable.Range(0, 10).Select(b => JsonSerializer.SerializeToUtf8Bytes(digits[(b * 100)..(b * 100 + 100)].Select(d => new Row { Features = d })))];
// What reading the request costs alone: every number of a 100-row body, the way the endpoint reads them.
var jsonHundred = Latency.Measure(requests / 10, i =>
{
    var reader = new Utf8JsonReader(hundredBodies[i % hundredBodies.Length]);
    float sum = 0;
    while (reader.Read())
        if (reader.TokenType == JsonTokenType.Number && reader.TryGetSingle(out float value)) sum += value;
});
var (httpSingle, httpHundred, allColumnsBytes) = await OverHttp(options => { });
var (httpSingleScore, httpHundredScore, scoreBytes) = await OverHttp(options => options.ResponseColumns = [detector.ScoreColumnName!, detector.PredictedLabelColumnName!]);

async Task<(Latency Single, Latency Hundred, int AnswerBytes)> OverHttp(Action<AnomalyScorerOptions> configure)
{
    var builder = WebApplication.CreateSlimBuilder();
    builder.Logging.ClearProviders();
    builder.WebHost.UseUrls("http://127.0.0.1:0");
    builder.Services.AddAnomalyScorer(options => { options.ModelPath = modelPath; configure(options); });
    await using var app = builder.Build();
    app.MapAnomalyScoring("/score");
    await app.StartAsync();
    string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
    using var client = new HttpClient(new SocketsHttpHandler { UseProxy = false, MaxConnectionsPerServer = 1 }) { BaseAddress = new Uri(address) };
    int answerBytes = 0;
    async Task Post(byte[] body)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new("application/json");
        using var response = await client.PostAsync("/score", content);
        if (response.StatusCode != HttpStatusCode.OK) throw new InvalidOperationException($"{response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        answerBytes = (await response.Content.ReadAsByteArrayAsync()).Length;
    }
    var single = await Latency.MeasureAsync(requests, i => Post(singleBodies[i % singleBodies.Length]));
    int singleAnswerBytes = answerBytes;
    var hundred = await Latency.MeasureAsync(requests / 10, i => Post(hundredBodies[i % hundredBodies.Length]));
    await app.StopAsync();
    return (single, hundred, singleAnswerBytes);
}

Console.WriteLine($"Request bodies: one row {singleBodies.Average(b => b.Length) / 1024:F1} KiB of JSON, 100 rows {hundredBodies.Average(b => b.Length) / 1024:F0} KiB. " +
    $"Answer per row: all columns {allColumnsBytes / 1024.0:F1} KiB, score + label {scoreBytes} bytes.");
Console.WriteLine();
Console.WriteLine($"{"path",-58} {"rows",5}   latency per call");
void Line(string path, int rows, Latency latency) => Console.WriteLine($"{path,-58} {rows,5}   {latency.Format(rows)}");
Line("in process: PredictionEngine.Predict (reference)", 1, engineSingle);
Line("in process: Transform + cursor", 1, transformSingle);
Line("in process: PredictionEngine.Predict × 100", 100, engineHundred);
Line("in process: Transform + cursor (one batch)", 100, transformHundred);
Line("in process: Utf8JsonReader over the request body", 100, jsonHundred);
Line("HTTP POST /score, all columns (pooled row engine)", 1, httpSingle);
Line("HTTP POST /score, all columns (one batched Transform)", 100, httpHundred);
Line("HTTP POST /score, score + label (pooled row engine)", 1, httpSingleScore);
Line("HTTP POST /score, score + label (one batched Transform)", 100, httpHundredScore);

engine.Dispose();
(model as IDisposable)?.Dispose();
Directory.Delete(folder, recursive: true);

/// <summary>A request row and the benchmark's in-process input.</summary>
internal sealed class Row
{
    public float[] Features { get; set; } = [];
}

internal sealed class Prediction
{
    public float Score { get; set; }
}
