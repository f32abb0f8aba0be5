using Microsoft.ML;
using Microsoft.ML.Data;

namespace AnomalyAE.Tests;

/// <summary>
/// The single-row path allocates a fixed amount per prediction: nothing on ONNX Runtime, and on libtorch only the
/// managed objects TorchSharp makes per operation (a Tensor each, the dispose scope), whatever the number of predictions.
/// </summary>
public sealed class PredictionEngineAllocationTests : IDisposable
{
    private const int Dimensions = 64;
    private readonly MLContext _ml = new(seed: 1);
    private readonly string _folder = Directory.CreateTempSubdirectory("anomalyae-alloc-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Theory]
    [InlineData("libtorch", 2048)]
    [InlineData("onnx", 0)]
    public void PredictAllocatesAFixedSmallAmountInSteadyState(string engineKind, int maxBytesPerPrediction)
    {
        var rows = SyntheticData.Manifold(500, Dimensions);
        var data = SyntheticData.Load(_ml, rows, Dimensions);
        ITransformer model = _ml.Autoencoders().Autoencoder(TestOptions.Small(epochs: 2)).Fit(data);
        if (engineKind == "onnx")
        {
            string path = Path.Combine(_folder, "model.onnx");
            _ml.Autoencoders().ExportToOnnx(model, data.Schema, path);
            ((IDisposable)model).Dispose();
            model = _ml.Autoencoders().Load(path, out _);
        }
        try
        {
            var schema = SchemaDefinition.Create(typeof(FeatureRow));
            schema[nameof(FeatureRow.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, Dimensions);
            using var engine = _ml.Model.CreatePredictionEngine<FeatureRow, Prediction>(model, new PredictionEngineOptions { OwnsTransformer = false, InputSchemaDefinition = schema });
            var output = new Prediction();
            long PerPrediction(int count)
            {
                long before = GC.GetAllocatedBytesForCurrentThread();
                for (int i = 0; i < count; i++) engine.Predict(rows[i % rows.Length], ref output);
                return (GC.GetAllocatedBytesForCurrentThread() - before) / count;
            }
            PerPrediction(500);   // warm-up: getters, buffers, JIT
            long few = PerPrediction(1000), many = PerPrediction(4000);
            Assert.True(many <= maxBytesPerPrediction, $"{engineKind}: {many} bytes per prediction (at most {maxBytesPerPrediction})");
            Assert.True(Math.Abs(many - few) <= 64, $"{engineKind}: {few} bytes per prediction over 1,000, {many} over 4,000: it grows");
            Assert.True(float.IsFinite(output.Score));
        }
        finally
        {
            (model as IDisposable)?.Dispose();
        }
    }

    private sealed class Prediction
    {
        public float Score { get; set; }
        public bool PredictedLabel { get; set; }
    }
}
